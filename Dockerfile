# One image for every Vigil role; the role is the command: sensor | processor | api | start.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY sensor/package.json sensor/
COPY graph-model/package.json graph-model/
COPY stream-processor/package.json stream-processor/
COPY api/package.json api/
COPY cli/package.json cli/
COPY prisma/package.json prisma/
COPY prisma/scripts prisma/scripts
COPY prisma/schema.prisma prisma/
RUN npm ci --include=dev
COPY . .
RUN node prisma/scripts/generate.mjs
USER node
ENTRYPOINT ["node", "cli/bin/vigil.js"]
CMD ["start"]

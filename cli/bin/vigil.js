#!/usr/bin/env node
// Vigil runs its TypeScript sources directly through tsx, so `npx vigil` works right after
// `npm install` with no build step. The tsconfig is named explicitly because type-graphql needs
// legacy decorators whatever the caller's working directory is.
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

register({ tsconfig: fileURLToPath(new URL("../../tsconfig.json", import.meta.url)) });
await import("../src/main.ts");

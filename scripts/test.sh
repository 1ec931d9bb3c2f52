#!/usr/bin/env bash
# `npm test`: bring the real services up (idempotent; installs them when missing), then run every
# vitest project (unit, integration against the real services, e2e). Extra args go to vitest.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
bash scripts/services.sh up
# A stale generated Prisma client would test code other than the schema says.
node prisma/scripts/generate.mjs --check
exec npx vitest run "$@"

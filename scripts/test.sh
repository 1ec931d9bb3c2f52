#!/usr/bin/env bash
# `npm test`: bring the real services up (idempotent; installs them when missing), then run every
# vitest project (unit, integration against the real services, e2e). Extra args go to vitest.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
bash scripts/services.sh up
# A stale generated Prisma client would test code other than the schema says.
node prisma/scripts/generate.mjs --check
mkdir -p .vigil
results=.vigil/test-results.json
rm -f "$results"
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$results" "$@" || status=$?
# One plain closing line with the counts, read from vitest's own JSON report (skips included, so a
# skipped suite can never pass for a green one).
if [ -f "$results" ]; then
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const skipped = r.numPendingTests + r.numTodoTests;
    console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
    if (r.numTotalTests === 0) { console.error("no test ran"); process.exit(1); }
  ' "$results" || status=1
fi
exit "$status"

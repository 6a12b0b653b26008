#!/usr/bin/env bash
# The one test command (README: `npm test`): installs what is missing, builds, type-checks,
# lints, then runs every test — unit, integration with real services, end-to-end, browser.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-system-deps.sh
bash scripts/ensure-node-deps.sh

echo "==> type-checking tests"
npx tsc -p tsconfig.test.json

echo "==> lint and format check"
npx eslint .
npx prettier --check . >/dev/null || { npx prettier --check . ; exit 1; }

echo "==> tests"
mkdir -p test-results
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@" || status=$?
# One plain closing line for CI and people: "Tests: N passed, N failed".
node -e '
  const r = JSON.parse(require("fs").readFileSync("test-results/vitest.json", "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`Tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' || true
exit $status

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
npx vitest run "$@"

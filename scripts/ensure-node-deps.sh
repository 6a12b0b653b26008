#!/usr/bin/env bash
# Installs the npm dependencies exactly as locked (npm ci) when node_modules is missing or older
# than package-lock.json, then builds every package (TypeScript project references + the console).
set -euo pipefail
cd "$(dirname "$0")/.."

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "Anxin needs Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none))." >&2
  exit 1
fi

stamp=node_modules/.anxin-installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "==> installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund
  touch "$stamp"
fi
# An install made before the `anxin` bin pointed at the committed shim (cli/bin/anxin.js) has no
# node_modules/.bin/anxin link; relinking bins is cheap and needs no download or native build.
if [ ! -e node_modules/.bin/anxin ]; then
  echo "==> linking the anxin command (npm rebuild --ignore-scripts)"
  npm rebuild --ignore-scripts --no-audit --no-fund >/dev/null
fi

echo "==> building"
npm run --silent build

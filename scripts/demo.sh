#!/usr/bin/env bash
# The one start command (README: `npm start`): installs and builds what is missing, then starts
# the whole system on embedded defaults — hub with its own MQTT broker and SQLite, simulated homes
# each with its own gateway and devices — and prints the console URL and a login.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-node-deps.sh
exec node cli/dist/main.js demo --config config/demo.yaml "$@"

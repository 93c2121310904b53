#!/usr/bin/env bash
# Installs what Habla needs and starts it on its embedded defaults (SQLite, local files, espeak-ng).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh runtime
bash scripts/node-deps.sh
# The flags: SERVE_NODE_FLAGS in src/telephony/media/worker/gc-priority.ts (real-time media threads).
exec node --single-threaded-gc --max-semi-space-size=4 bin/habla.js serve

#!/usr/bin/env bash
# Installs what Habla needs and starts it on its embedded defaults (SQLite, local files, espeak-ng).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh runtime
bash scripts/node-deps.sh
# --single-threaded-gc: see src/telephony/media/worker/gc-priority.ts (real-time media threads).
exec node --single-threaded-gc bin/habla.js serve

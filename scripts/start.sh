#!/usr/bin/env bash
# Installs what Habla needs and starts it on its embedded defaults (SQLite, local files, espeak-ng).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh runtime
bash scripts/node-deps.sh
exec node bin/habla.js serve

#!/usr/bin/env bash
# The whole test suite from a fresh machine: system packages, PostgreSQL, npm deps, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh test
bash scripts/postgres.sh
bash scripts/node-deps.sh
npx tsc --noEmit
bash scripts/run-tests.sh "$@"

#!/usr/bin/env bash
# Runs test files (all, or those given) with Node's test runner on the TypeScript sources.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$#" -gt 0 ]; then files=("$@"); else
  mapfile -t files < <(find src test -name '*.test.ts' | sort)
fi
# A hung test (or a file whose open handles keep it alive) must fail the run, not stall CI:
# each test gets 2 minutes, and a file exits once its tests are done.
exec node --import tsx --test --test-concurrency=2 --test-timeout=120000 --test-force-exit --test-reporter=spec "${files[@]}"

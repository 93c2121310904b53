#!/usr/bin/env bash
# Runs test files (all, or those given) with Node's test runner on the TypeScript sources.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$#" -gt 0 ]; then files=("$@"); else
  mapfile -t files < <(find src test -name '*.test.ts' | sort)
fi
exec node --import tsx --test --test-concurrency=2 --test-reporter=spec "${files[@]}"

#!/usr/bin/env bash
# Runs one benchmark from a fresh machine: the system packages the benches drive (SIPp, sox,
# espeak-ng), npm deps, then bench/<name>.ts. Usage: scripts/bench.sh sip   (names: ls bench/*.ts)
set -euo pipefail
cd "$(dirname "$0")/.."
name="${1:-}"
benches="$(cd bench && ls *.ts | grep -v '\.d\.ts$' | sed 's/\.ts$//' | tr '\n' ' ')"
if [ -z "$name" ] || [[ " $benches " != *" $name "* ]]; then
  echo "usage: npm run bench <name>   where <name> is one of: $benches" >&2
  exit 2
fi
shift
bash scripts/system-deps.sh test
bash scripts/node-deps.sh
exec node --import tsx "bench/$name.ts" "$@"

#!/usr/bin/env bash
# Installs the Debian packages Habla needs, only those missing. Usage:
#   scripts/system-deps.sh runtime   # what `habla serve` needs
#   scripts/system-deps.sh test      # plus what the test suite needs
set -euo pipefail

profile="${1:-runtime}"
runtime_packages=(espeak-ng sox python3 make g++)
test_packages=(postgresql python3-requests sip-tester baresip-core)

wanted=("${runtime_packages[@]}")
if [ "$profile" = test ]; then wanted+=("${test_packages[@]}"); fi

missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "habla: installing system packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

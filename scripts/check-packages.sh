#!/usr/bin/env bash
# Checks the packages scripts/build-lambdas.sh built (target/lambda/<name>/bootstrap.zip): each is
# an arm64 `bootstrap` that needs no glibc newer than Amazon Linux 2023's (2.34), and, when built
# with the release profile (the one deployed), each zip is within the 5 MB size target.
set -euo pipefail
cd "$(dirname "$0")/.."
max_zip=5000000
profile=$(cat target/lambda/.profile 2>/dev/null || echo release)
# shellcheck source=scripts/tools.sh
source scripts/tools.sh
command -v readelf >/dev/null || debian binutils
for name in programme registration organiser notifications; do
  zip="target/lambda/$name/bootstrap.zip"
  [ -f "$zip" ] || { echo "missing $zip: run scripts/build-lambdas.sh first" >&2; exit 1; }
  dir=".tmp/glibc-check/$name"
  rm -rf "$dir" && mkdir -p "$dir"
  python3 -m zipfile -e "$zip" "$dir"
  machine=$(readelf -h "$dir/bootstrap" | awk -F: '/Machine:/ {gsub(/^ +/, "", $2); print $2}')
  # The version needs (.gnu.version_r) name every GLIBC_x.y the binary links against.
  newest=$(readelf -V "$dir/bootstrap" | grep -Eo 'GLIBC_[0-9]+(\.[0-9]+)+' | sed 's/GLIBC_//' | sort -uV | tail -n1)
  size=$(stat -c %s "$zip")
  echo "$name: $machine, needs glibc ${newest:-none}, zip $size bytes"
  if [ "$machine" != "AArch64" ]; then
    echo "$zip is not an arm64 binary" >&2
    exit 1
  fi
  if [ -n "$newest" ] && [ "$(printf '%s\n2.34\n' "$newest" | sort -V | tail -n1)" != "2.34" ]; then
    echo "$zip needs glibc $newest; Amazon Linux 2023 has 2.34" >&2
    exit 1
  fi
  if [ "$profile" = release ] && [ "$size" -gt "$max_zip" ]; then
    echo "$zip is $size bytes, over the $max_zip-byte target" >&2
    exit 1
  fi
done
echo "packages built with the $profile profile: arm64, glibc <= 2.34$([ "$profile" = release ] && echo ", <= $max_zip bytes")"

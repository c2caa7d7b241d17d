#!/usr/bin/env bash
# Runs the README's test command as a new machine would: in a fresh clone of this repository's
# HEAD (committed work only, as CI sees it), with an empty CARGO_HOME and empty pip and npm
# caches, so nothing an earlier run downloaded, built or installed can hide a missing step. The
# rustup toolchain stays on PATH (a new machine has it). Fails if the test command fails.
# Not a step of scripts/test.sh: it doubles the time. Takes one optional argument, the folder to
# work in (default: a new temporary one); it is removed after a pass unless KEEP=1.
#   scripts/fresh-check.sh [DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-$(mktemp -d "${TMPDIR:-/tmp}/plenary-fresh.XXXXXX")}"
mkdir -p "$work"
[ -z "$(ls -A "$work")" ] || { echo "$work is not empty" >&2; exit 2; }

# The toolchain's rustup proxies live in the old CARGO_HOME's bin; keep them, not the rest.
toolchain_bin="$(dirname "$(command -v cargo)")"
export CARGO_HOME="$work/cargo-home" PIP_CACHE_DIR="$work/pip-cache" npm_config_cache="$work/npm-cache"
export PATH="$CARGO_HOME/bin:$toolchain_bin:$PATH"
mkdir -p "$CARGO_HOME"
unset CARGO_TARGET_DIR PLENARY_TEST_AWS_ENDPOINT

git clone --quiet --no-local "$root" "$work/clone"
cd "$work/clone"
echo "fresh check of $(git rev-parse --short HEAD) in $work/clone, CARGO_HOME=$CARGO_HOME"
start=$(date +%s)
status=0
scripts/test.sh >"$work/test.log" 2>&1 || status=$?
elapsed=$(($(date +%s) - start))
tail -n 30 "$work/test.log"
printf '\nfresh check: test command exited %d after %d min %d s (log: %s)\n' \
  "$status" $((elapsed / 60)) $((elapsed % 60)) "$work/test.log"
if [ "$status" -eq 0 ] && [ "${KEEP:-0}" != 1 ]; then
  cp "$work/test.log" "$root/.tmp/fresh-check.log" 2>/dev/null || true
  rm -rf "$work"
fi
exit "$status"

#!/usr/bin/env bash
# Lighthouse (mobile) and axe-core over the reference website's public pages (tests/lighthouse/,
# pinned in its package-lock.json), in Debian's Chromium, offline against a fresh plenary-local.
# Thresholds: accessibility and best practices 100, performance >= 95, SEO >= 95 (BENCHMARKS.md
# has the scores). LIGHTHOUSE_RUNS (default 3) runs per page, the median kept.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/tools.sh
source scripts/tools.sh
debian chromium
npm_packages tests/lighthouse

cargo build -p plenary-local --locked --quiet
bin="${CARGO_TARGET_DIR:-target}/debug/plenary-local"
mkdir -p .tmp/lighthouse
log=.tmp/lighthouse/stack.log
# Made before the start: the background job opens it itself, possibly after the first read below.
: >"$log"
RUST_LOG=warn "$bin" --port 0 >"$log" 2>&1 &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT
base=""
for _ in $(seq 1 300); do
  base=$(sed -n 's/^Plenary local stack listening on //p' "$log" | head -n 1)
  [ -n "$base" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; echo "plenary-local exited" >&2; exit 1; }
  sleep 0.1
done
[ -n "$base" ] || { cat "$log" >&2; echo "plenary-local printed no address" >&2; exit 1; }

(cd tests/lighthouse && PLENARY_BASE="$base" node run.mjs)

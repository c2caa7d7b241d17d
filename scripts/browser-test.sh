#!/usr/bin/env bash
# Browser tests of the reference website and the organiser console (every tests/browser/*.test.mjs,
# one file after another): Playwright's library (playwright-core,
# pinned in tests/browser/package-lock.json) drives Debian's Chromium against a fresh
# plenary-local on a free port. Never `npx playwright install`: it downloads its own browser.
set -euo pipefail
cd "$(dirname "$0")/.."

ORGANISER_TOKEN=test-organiser-token-0123456789abcdefghijkl

# shellcheck source=scripts/tools.sh
source scripts/tools.sh
debian chromium
npm_packages tests/browser

cargo build -p plenary-local --locked
bin="${CARGO_TARGET_DIR:-target}/debug/plenary-local"

mkdir -p .tmp tests/browser/artifacts
log=.tmp/browser-stack.log
# Made before the start: the background job opens it itself, possibly after the first read below.
: >"$log"
RUST_LOG=warn "$bin" --port 0 --organiser-token "$ORGANISER_TOKEN" >"$log" 2>&1 &
pid=$!
stop() {
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
trap stop EXIT

# The address comes from the banner, since --port 0 lets the system pick the port.
base=""
for _ in $(seq 1 300); do
  base=$(sed -n 's/^Plenary local stack listening on //p' "$log" | head -n 1)
  [ -n "$base" ] && break
  if ! kill -0 "$pid" 2>/dev/null; then
    cat "$log" >&2
    echo "plenary-local exited before it listened" >&2
    exit 1
  fi
  sleep 0.1
done
if [ -z "$base" ]; then
  cat "$log" >&2
  echo "plenary-local printed no address within 30 s" >&2
  exit 1
fi
echo "plenary-local at $base"

# The TAP reporter ends with "# pass N" / "# fail N"; keep them in the log and on screen.
(cd tests/browser && PLENARY_BASE="$base" PLENARY_ORGANISER_TOKEN="$ORGANISER_TOKEN" \
  node --test --test-concurrency=1 --test-reporter=tap ./*.test.mjs) 2>&1 | tee .tmp/browser-test.log
passed=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' .tmp/browser-test.log | tail -n 1)
if [ "${passed:-0}" -eq 0 ]; then
  echo "no browser test passed" >&2
  exit 1
fi
echo "browser tests passed: $passed (screenshots in tests/browser/artifacts/)"

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

# shellcheck source=scripts/local-stack.sh
source scripts/local-stack.sh
mkdir -p .tmp tests/browser/artifacts
trap stop_local_stack EXIT
RUST_LOG=warn start_local_stack .tmp/browser-stack.log --organiser-token "$ORGANISER_TOKEN"
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

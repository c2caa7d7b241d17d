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

# shellcheck source=scripts/local-stack.sh
source scripts/local-stack.sh
mkdir -p .tmp/lighthouse
trap stop_local_stack EXIT
RUST_LOG=warn start_local_stack .tmp/lighthouse/stack.log

(cd tests/lighthouse && PLENARY_BASE="$base" node run.mjs)

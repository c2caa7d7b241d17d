#!/usr/bin/env bash
# Every benchmark, one after the other (not part of the tests; takes a while, mostly builds):
# criterion suites, the fan-out run, the HTTP load test, the Lambda start-up times, and the
# release arm64 packages' sizes. Figures go to stdout and target/bench-*/;
# BENCHMARKS.md records a run with the commands and the machine.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"

echo "== store calls per request (cargo test -p plenary-benches)"
cargo test -p plenary-benches -- --nocapture

echo "== criterion (cargo bench -p plenary-benches)"
cargo bench -p plenary-benches --bench handlers

echo "== reminder fan-out (cargo run --release -p plenary-benches --bin fanout)"
cargo run --release -p plenary-benches --bin fanout

echo "== HTTP load (scripts/bench-load.sh)"
scripts/bench-load.sh

echo "== Lambda start-up (scripts/bench-startup.sh)"
scripts/bench-startup.sh

echo "== packages (scripts/build-lambdas.sh, release profile: what is deployed)"
PLENARY_LAMBDA_PROFILE=release scripts/build-lambdas.sh
scripts/check-packages.sh

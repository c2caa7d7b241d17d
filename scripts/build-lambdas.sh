#!/usr/bin/env bash
# Builds the four Lambda functions for AWS (provided.al2023, arm64) as zip files:
#   target/lambda/{programme,registration,organiser,notifications}/bootstrap.zip
# Installs cargo-lambda and Zig (pinned in scripts/requirements-build.txt) into ./.venv-build and
# the aarch64 Rust standard library with rustup. Extra arguments go to `cargo lambda build`.
#
# PLENARY_LAMBDA_PROFILE picks the Cargo profile: `release` (the default; what is deployed) or
# `smoke` (the test command's: the same code and target, built without the slow whole-program
# optimisation; see Cargo.toml).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

profile=${PLENARY_LAMBDA_PROFILE:-release}

# shellcheck source=scripts/tools.sh
source scripts/tools.sh
python_venv .venv-build scripts/requirements-build.txt
# cargo-zigbuild finds Zig as `python3 -m ziglang`, so the venv's python must come first.
export PATH="$root/.venv-build/bin:$PATH"

rust_arm64

# Zig links against an old glibc, not this machine's: Amazon Linux 2023 has 2.34
# (scripts/infra-check.sh checks the built binaries need no newer one).
cargo lambda build --profile "$profile" --arm64 --locked --output-format zip \
  -p plenary-programme -p plenary-registration -p plenary-organiser -p plenary-notifications "$@"

echo "$profile" >target/lambda/.profile
for name in programme registration organiser notifications; do
  zip="target/lambda/$name/bootstrap.zip"
  [ -f "$zip" ] || { echo "missing $zip" >&2; exit 1; }
  printf '%-14s %8d bytes  %s\n' "$name" "$(stat -c %s "$zip")" "$zip"
done

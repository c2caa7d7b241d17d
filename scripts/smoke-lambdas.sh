#!/usr/bin/env bash
# Smoke and deployment test of the real artifacts: deploys infra/template.yaml on the emulator's
# CloudFormation (translated by samtranslator; what moto cannot create replaced by placeholders),
# checks what it created, then runs each arm64 bootstrap that scripts/build-lambdas.sh built
# (target/lambda/<name>/bootstrap.zip) under qemu-aarch64 against cargo lambda's emulation of the
# Lambda runtime API, with exactly the environment the emulator holds for its function, and sends
# it every HttpApi route of the template, one path end to end, and the EventBridge, DynamoDB-stream
# and SNS events shipped as fixtures in the aws_lambda_events crate. See scripts/deploy_test.py
# and infra/README.md ("The deployment test"). PLENARY_SMOKE_TEMPLATE names another template to
# deploy (to see the test fail on a broken copy). Needs: scripts/build-lambdas.sh run first;
# Debian's apt-get (for qemu-user-static and the arm64 C library, unpacked into .tmp, nothing
# installed); the SAM CLI's venv, made here from scripts/requirements-infra.txt if missing.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
work=.tmp/smoke
mkdir -p "$work"

for name in programme registration organiser notifications; do
  [ -f "target/lambda/$name/bootstrap.zip" ] || {
    echo "target/lambda/$name/bootstrap.zip is missing: run scripts/build-lambdas.sh first" >&2
    exit 1
  }
done
[ -x .venv-build/bin/cargo-lambda ] || { echo "cargo-lambda is missing: run scripts/build-lambdas.sh first" >&2; exit 1; }
export PATH="$root/.venv-build/bin:$PATH"

# qemu-aarch64-static and the arm64 C runtime (ld.so, libc, libgcc_s), from Debian, unpacked here.
# shellcheck source=scripts/tools.sh
source scripts/tools.sh
arm64_sysroot
sysroot="$root/.tmp/arm64-sysroot"
qemu="$sysroot/usr/bin/qemu-aarch64-static"
export QEMU_LD_PREFIX="$sysroot/usr/aarch64-linux-gnu"

# samtranslator and boto3: the SAM CLI's venv (the one scripts/infra-check.sh uses).
sam_venv=.venv-infra/sam
python_venv "$sam_venv" scripts/requirements-infra.txt

cleanup() {
  if [ -n "${started_emulator:-}" ]; then scripts/emulator.sh stop; fi
}
trap cleanup EXIT

# The emulator (started here unless the caller has one): S3, Secrets Manager, SES, DynamoDB,
# CloudFormation and Lambda's control plane; cargo lambda watch plays Lambda's runtime.
if [ -z "${PLENARY_TEST_AWS_ENDPOINT:-}" ]; then
  eval "$(scripts/emulator.sh start)"
  started_emulator=1
fi

fixtures=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/aws_lambda_events-1.*/src/fixtures | sort -V | tail -n1)
[ -d "$fixtures" ] || { echo "no aws_lambda_events fixtures under ${CARGO_HOME:-$HOME/.cargo}/registry/src" >&2; exit 1; }

# The template deployed on the emulator and checked, then every route of it sent to the real
# packages running with the environment deployed (scripts/deploy_test.py says how).
"$sam_venv/bin/python" scripts/deploy_test.py --endpoint "$PLENARY_TEST_AWS_ENDPOINT" \
  --template "${PLENARY_SMOKE_TEMPLATE:-infra/template.yaml}" --work "$work" --fixtures "$fixtures" \
  --qemu "$qemu" --qemu-ld-prefix "$QEMU_LD_PREFIX"

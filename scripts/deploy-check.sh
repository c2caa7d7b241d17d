#!/usr/bin/env bash
# scripts/deploy.py's steps (the secret, the site upload with CloudFront's invalidation, the
# parameters) against the emulator and a fresh plenary-local, whose answers are what each site
# file must be stored with (scripts/deploy_check.py says what is checked); then
# scripts/check-deployment.sh against that stack. Uses the running
# emulator ($PLENARY_TEST_AWS_ENDPOINT) or starts one. The SAM CLI's venv has boto3.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/tools.sh
source scripts/tools.sh
python_venv .venv-infra/sam scripts/requirements-infra.txt
state=.tmp/deploy-check
mkdir -p "$state"

started_emulator=""
pid=""
# shellcheck source=scripts/local-stack.sh
source scripts/local-stack.sh
cleanup() {
  stop_local_stack
  [ -z "$started_emulator" ] || scripts/emulator.sh stop deploy-check
}
trap cleanup EXIT
if [ -z "${PLENARY_TEST_AWS_ENDPOINT:-}" ]; then
  eval "$(scripts/emulator.sh start deploy-check)"
  started_emulator=1
fi

start_local_stack "$state/stack.out"

AWS_ENDPOINT_URL="$PLENARY_TEST_AWS_ENDPOINT" AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 \
  AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_EC2_METADATA_DISABLED=true \
  .venv-infra/sam/bin/python scripts/deploy_check.py "$base"
# The read-only check an organiser runs after the deploy, against the local stack (no CDN).
scripts/check-deployment.sh "$base" --local

#!/usr/bin/env bash
# Checks the deployment templates: lints and validates infra/template.yaml (cfn-lint, sam validate)
# and scans it with checkov (skips and reasons in infra/.checkov.yaml), and lints and scans
# infra/waf.yaml, the optional web ACL, likewise. The built packages are
# checked by scripts/check-packages.sh.
# Works offline apart from the first install: the tools go into ./.venv-infra from PyPI.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
template=infra/template.yaml

# One venv per pinned file: aws-sam-cli and checkov cannot share one (conflicting boto3 pins).
# shellcheck source=scripts/tools.sh
source scripts/tools.sh
python_venv .venv-infra/sam scripts/requirements-infra.txt
python_venv .venv-infra/checkov scripts/requirements-infra-checkov.txt

# Dummy credentials and region: nothing here calls AWS, but the SAM CLI wants a session.
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_SESSION_TOKEN=test
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
export SAM_CLI_TELEMETRY=0 SAM_CLI_CONTACT_TRACKING=0

echo "-- cfn-lint"
.venv-infra/sam/bin/cfn-lint "$template"
echo "-- sam validate --lint"
.venv-infra/sam/bin/sam validate --lint --template "$template"
echo "-- sam validate"
.venv-infra/sam/bin/sam validate --template "$template" --region us-east-1
# checkov passes a template it cannot parse ("Parsing errors: 1", exit 0): that fails here.
checkov() {
  local out
  out=$(.venv-infra/checkov/bin/checkov -f "$1" --framework cloudformation --skip-download \
    --config-file infra/.checkov.yaml 2>&1) || { echo "$out"; return 1; }
  echo "$out"
  if grep -q "Parsing errors" <<<"$out"; then
    echo "checkov could not parse $1" >&2
    return 1
  fi
}
echo "-- checkov"
checkov "$template"
# The optional web ACL, a plain CloudFormation template of its own (deployed in us-east-1).
echo "-- cfn-lint and checkov: infra/waf.yaml"
.venv-infra/sam/bin/cfn-lint --regions us-east-1 -- infra/waf.yaml
checkov infra/waf.yaml

#!/usr/bin/env bash
# Checks the deployment: lints and validates infra/template.yaml (cfn-lint, sam validate), scans it
# with checkov (skips and reasons in infra/.checkov.yaml), and, when scripts/build-lambdas.sh has
# built the functions, checks that no binary needs a glibc newer than Amazon Linux 2023's (2.34).
# Works offline apart from the first install: the tools go into ./.venv-infra from PyPI.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
template=infra/template.yaml

# One venv per pinned file: aws-sam-cli and checkov cannot share one (conflicting boto3 pins).
venv() { # venv DIR REQUIREMENTS
  if [ ! -x "$1/bin/python" ] || ! cmp -s "$2" "$1/.requirements"; then
    python3 -m venv "$1"
    "$1/bin/pip" install --quiet --disable-pip-version-check -r "$2"
    cp "$2" "$1/.requirements"
  fi
}
venv .venv-infra/sam scripts/requirements-infra.txt
venv .venv-infra/checkov scripts/requirements-infra-checkov.txt

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
echo "-- checkov"
.venv-infra/checkov/bin/checkov -f "$template" --framework cloudformation --skip-download \
  --config-file infra/.checkov.yaml

echo "-- glibc needed by the built functions (at most 2.34, Amazon Linux 2023)"
if ! command -v readelf >/dev/null; then
  apt-get install -y -qq binutils >/dev/null || { apt-get update -qq && apt-get install -y -qq binutils >/dev/null; }
fi
found=0
for name in programme registration organiser notifications; do
  zip="target/lambda/$name/bootstrap.zip"
  [ -f "$zip" ] || continue
  found=$((found + 1))
  dir=".tmp/glibc-check/$name"
  rm -rf "$dir" && mkdir -p "$dir"
  python3 -m zipfile -e "$zip" "$dir"
  machine=$(readelf -h "$dir/bootstrap" | awk -F: '/Machine:/ {gsub(/^ +/, "", $2); print $2}')
  # The version needs (.gnu.version_r) name every GLIBC_x.y the binary links against.
  newest=$(readelf -V "$dir/bootstrap" | grep -Eo 'GLIBC_[0-9]+(\.[0-9]+)+' | sed 's/GLIBC_//' | sort -uV | tail -n1)
  echo "$name: $machine, needs glibc ${newest:-none}"
  if [ "$machine" != "AArch64" ]; then
    echo "$zip is not an arm64 binary" >&2
    exit 1
  fi
  if [ -n "$newest" ] && [ "$(printf '%s\n2.34\n' "$newest" | sort -V | tail -n1)" != "2.34" ]; then
    echo "$zip needs glibc $newest; Amazon Linux 2023 has 2.34" >&2
    exit 1
  fi
done
[ "$found" -gt 0 ] || echo "no built functions (scripts/build-lambdas.sh builds them); skipped"

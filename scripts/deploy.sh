#!/usr/bin/env bash
# The whole deployment, one command, once infra/samconfig.toml is set (infra/README.md,
# "Deploying"): builds the four functions, makes the deployment's secret the first time (and
# prints the organiser token, that once), deploys the stack, deploys it again when the site's
# address was only known from that deploy (no DomainName: the distribution's own), uploads the
# website into its bucket and invalidates CloudFront. Then prints the site's address and the
# read-only check to run against it. Needs AWS credentials in the usual places; the region and
# stack come from infra/samconfig.toml.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/tools.sh
source scripts/tools.sh
python_venv .venv-infra/sam scripts/requirements-infra.txt
py=.venv-infra/sam/bin/python
sam=.venv-infra/sam/bin/sam
export SAM_CLI_TELEMETRY=0

setting() { # setting KEY: a value of infra/samconfig.toml's [default.deploy.parameters]
  "$py" -c 'import sys, tomllib; print(tomllib.load(open("infra/samconfig.toml", "rb"))["default"]["deploy"]["parameters"][sys.argv[1]])' "$1"
}
stack=$(setting stack_name)
export AWS_REGION="${AWS_REGION:-$(setting region)}" AWS_DEFAULT_REGION="${AWS_REGION:-$(setting region)}"

scripts/build-lambdas.sh
"$py" scripts/deploy.py secret

deploy() { # deploy PARAM...: sam deploy with exactly these overrides (samconfig's other settings)
  "$sam" deploy --template-file infra/template.yaml --parameter-overrides "$@"
}
mapfile -t first < <("$py" scripts/deploy.py params --stack "$stack")
deploy "${first[@]}"
site_url=$("$py" scripts/deploy.py outputs --stack "$stack" | sed -n 's/^SiteUrl=//p')
mapfile -t second < <("$py" scripts/deploy.py params --stack "$stack" --site-url "$site_url")
if [ "${first[*]}" != "${second[*]}" ]; then
  echo "deploying again with the site's address, $site_url"
  deploy "${second[@]}"
fi

outputs=$("$py" scripts/deploy.py outputs --stack "$stack")
"$py" scripts/deploy.py site --bucket "$(sed -n 's/^SiteBucketName=//p' <<<"$outputs")" \
  --distribution "$(sed -n 's/^DistributionId=//p' <<<"$outputs")"
echo "deployed: $site_url"
echo "check it: scripts/check-deployment.sh $site_url"

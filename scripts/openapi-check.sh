#!/usr/bin/env bash
# Third-party tools over the OpenAPI document the local stack serves: Spectral's recommended
# OpenAPI rules (npm, pinned in tests/openapi/package-lock.json) with no error and no warning,
# and openapi-python-client (PyPI, pinned in scripts/requirements-openapi.txt, in ./.venv-openapi)
# generating a client with no warning, which is then imported and driven against the stack.
# Installs what it needs, so it also runs alone from a fresh clone.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
state="$root/.tmp/openapi"
rm -rf "$state"
mkdir -p "$state"

# shellcheck source=scripts/tools.sh
source scripts/tools.sh
python_venv .venv-openapi scripts/requirements-openapi.txt
npm_packages tests/openapi

# shellcheck source=scripts/local-stack.sh
source scripts/local-stack.sh
organiser="openapi-check-organiser-token-0123456789abc"
trap stop_local_stack EXIT
start_local_stack "$state/stack.out" --organiser-token "$organiser"
curl -fsS "$base/v1/openapi.json" -o "$state/openapi.json"

echo "Spectral (spectral:oas), failing on any warning"
(cd tests/openapi && npx --no-install spectral lint --ruleset .spectral.yaml --fail-severity warn \
  --format text "$state/openapi.json")

echo "openapi-python-client, failing on any warning"
(cd "$state" && "$root/.venv-openapi/bin/openapi-python-client" generate --path openapi.json \
  --meta none --config "$root/tests/openapi/openapi-python-client.yaml" --fail-on-warning)
PYTHONPATH="$state" .venv-openapi/bin/python tests/openapi/client_check.py "$base" "$organiser"
echo "openapi checks: 2 passed, 0 failed"

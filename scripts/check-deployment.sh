#!/usr/bin/env bash
# Checks a deployment read-only: scripts/check-deployment.sh SITE_URL [--api-endpoint URL]
# (scripts/check_deployment.py says what; python3's standard library is all it needs).
set -euo pipefail
exec python3 "$(dirname "$0")/check_deployment.py" "$@"

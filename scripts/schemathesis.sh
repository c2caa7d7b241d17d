#!/usr/bin/env bash
# schemathesis against the local stack's own OpenAPI document, with organiser and registrant
# tokens, every check on except positive_data_acceptance (see TESTING.md for why).
# Builds target/debug/plenary-local if needed, so it also runs alone from a fresh clone.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
state="$root/.tmp/schemathesis"
mkdir -p "$state"

# shellcheck source=scripts/tools.sh
source scripts/tools.sh
python_venv .venv-api scripts/requirements-api.txt

# shellcheck source=scripts/local-stack.sh
source scripts/local-stack.sh
# schemathesis is one client sending thousands of requests, many with wrong tokens on purpose:
# the per-client limits (tested in e2e_limits) are raised so every operation's logic is reached.
organiser="schemathesis-organiser-token-0123456789abcd"
trap stop_local_stack EXIT
start_local_stack "$state/stack.out" --organiser-token "$organiser" \
  --requests-per-client-per-minute 1000000 --failed-bearers-per-client-per-hour 1000000

# A confirmed registrant, for the registrant's routes.
registrant=$(python3 - "$base" <<'PY'
import json, re, sys, urllib.request
base = sys.argv[1]
def call(method, path, body=None):
    req = urllib.request.Request(base + path, method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"content-type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"null")
call("POST", "/v1/events/qos-workshop-2021/registrations", {
    "email": "schemathesis@example.org", "given_name": "Schema", "family_name": "Thesis",
    "country": "CH", "organisation": "Tests", "category": "academia", "language": "en",
    "consent": True})
call("POST", "/_local/notifications/run")
mail = [m for m in call("GET", "/_local/outbox")["messages"] if m["to"] == "schemathesis@example.org"][-1]
token = re.search(r"token=([A-Za-z0-9_-]+)", mail["text"]).group(1)
call("POST", "/v1/registrations/confirm", {"token": token})
print(token)
PY
)

cat >"$state/schemathesis.toml" <<TOML
[auth.openapi.organiserToken]
bearer = "$organiser"

[auth.openapi.registrantToken]
bearer = "$registrant"

# A body over 64 KiB is refused with 413, a rejection like any other.
[checks.negative_data_rejection]
expected-statuses = [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429]

TOML

cd "$state"
st() {
  "$root/.venv-api/bin/schemathesis" --config-file "$state/schemathesis.toml" run "$base/v1/openapi.json" \
    --suppress-health-check all --seed 1 --workers 1 "$@"
}
# Every operation but one, every check but positive-data acceptance (see TESTING.md).
st --checks all --exclude-checks positive_data_acceptance \
  --exclude-operation-id cancelMyRegistration --exclude-operation-id putJoinInfo \
  --max-time "${SCHEMATHESIS_MAX_TIME:-150}" 2>&1 | tee "$state/report.txt"
# PUT …/join-info without negative-data rejection: schemathesis' coverage phase calls a body
# without the optional `passcode` "schema-violating" although the schema does not require it.
st --checks all --exclude-checks positive_data_acceptance,negative_data_rejection \
  --include-operation-id putJoinInfo --max-time 30 2>&1 | tee "$state/report-join-info.txt"

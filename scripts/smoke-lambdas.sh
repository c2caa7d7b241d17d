#!/usr/bin/env bash
# Smoke test of the real artifacts: runs each arm64 bootstrap that scripts/build-lambdas.sh built
# (target/lambda/<name>/bootstrap.zip) under qemu-aarch64 against cargo lambda's emulation of the
# Lambda runtime API, with the table on the DynamoDB emulator, and sends it the API Gateway v2,
# EventBridge, DynamoDB-stream and SNS events shipped as fixtures in the aws_lambda_events crate.
# Each function must start (its configuration read, its clients built), take the event and answer
# as expected. Needs: scripts/build-lambdas.sh run first; Debian's apt-get (for qemu-user-static
# and the arm64 C library, unpacked into .tmp, nothing installed).
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

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ -n "${started_emulator:-}" ]; then scripts/emulator.sh stop; fi
}
trap cleanup EXIT

# The table, on the emulator (started here unless the caller has one).
if [ -z "${PLENARY_TEST_AWS_ENDPOINT:-}" ]; then
  eval "$(scripts/emulator.sh start)"
  started_emulator=1
fi
table="plenary-smoke-$$"
.venv/bin/python - "$PLENARY_TEST_AWS_ENDPOINT" "$table" <<'EOF'
import sys, boto3
endpoint, table = sys.argv[1:]
ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                   aws_access_key_id="test", aws_secret_access_key="test")
ddb.create_table(
    TableName=table, BillingMode="PAY_PER_REQUEST",
    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                          {"AttributeName": "sk", "AttributeType": "S"}],
    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
               {"AttributeName": "sk", "KeyType": "RANGE"}],
    StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
# The sender, verified, so that the confirmation email below goes through SES.
boto3.client("ses", endpoint_url=endpoint, region_name="us-east-1",
             aws_access_key_id="test", aws_secret_access_key="test"
             ).verify_email_identity(EmailAddress="events@example.org")
EOF

# cargo lambda's runtime API emulation, alone (--only-lambda-apis: it builds and starts nothing).
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cargo lambda watch --only-lambda-apis --invoke-address 127.0.0.1 --invoke-port "$port" >"$work/watch.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 150); do
  python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$port" 2>/dev/null && break
  sleep 0.2
done

fixtures=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/aws_lambda_events-1.*/src/fixtures | sort -V | tail -n1)
[ -d "$fixtures" ] || { echo "no aws_lambda_events fixtures under ${CARGO_HOME:-$HOME/.cargo}/registry/src" >&2; exit 1; }

# An API Gateway v2 request from the crate's fixture, with another method, path, headers and
# (with SMOKE_BODY set) a JSON body.
request() { # request METHOD PATH [HEADER=VALUE...] > file
  SMOKE_BODY=${SMOKE_BODY:-} python3 - "$fixtures/example-apigw-v2-request-no-authorizer.json" "$@" <<'EOF'
import json, os, sys
fixture, method, path, *headers = sys.argv[1:]
e = json.load(open(fixture))
e["rawPath"] = e["requestContext"]["http"]["path"] = path
e["requestContext"]["http"]["method"] = method
e["routeKey"] = e["requestContext"]["routeKey"] = f"{method} {path}"
e["rawQueryString"] = ""
e.pop("queryStringParameters", None)
for h in headers:
    k, v = h.split("=", 1)
    e["headers"][k] = v
if os.environ["SMOKE_BODY"]:
    e["body"] = os.environ["SMOKE_BODY"]
    e["isBase64Encoded"] = False
    e["headers"]["content-type"] = "application/json"
else:
    e.pop("body", None)
print(json.dumps(e))
EOF
}

# Secrets for the smoke run only (the SHA-256 of the token "smoke-token-0123456789abcdef0123456789abcdef", a join key of 32 zero bytes).
token_hash=$(printf 'smoke-token-0123456789abcdef0123456789abcdef' | sha256sum | cut -d' ' -f1)
join_key=$(printf '0%.0s' $(seq 1 64))

failures=0
# check NAME EVENT_FILE EXPECTED_REGEX
check() {
  local name=$1 event=$2 expected=$3 out
  out=$(cargo lambda invoke --invoke-address 127.0.0.1 --invoke-port "$port" --data-file "$event" \
    --output-format json "$name" 2>&1) || true
  if printf '%s' "$out" | tr -d '\n' | grep -Eq "$expected"; then
    echo "ok   $name $(basename "$event"): $(printf '%s' "$out" | tr -d '\n' | cut -c1-160)"
  else
    echo "FAIL $name $(basename "$event"): expected /$expected/, got: $out" >&2
    failures=$((failures + 1))
  fi
}

# start NAME: runs the function's bootstrap under qemu; cargo lambda routes invocations of NAME
# to the runtime API at /.rt/NAME.
start() {
  local name=$1 dir="$work/$1"
  rm -rf "$dir" && mkdir -p "$dir"
  python3 -m zipfile -e "target/lambda/$name/bootstrap.zip" "$dir"
  chmod +x "$dir/bootstrap"
  env -i PATH="$PATH" QEMU_LD_PREFIX="$QEMU_LD_PREFIX" \
    AWS_LAMBDA_RUNTIME_API="http://127.0.0.1:$port/.rt/$name" \
    AWS_LAMBDA_FUNCTION_NAME="$name" AWS_LAMBDA_FUNCTION_VERSION=1 \
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128 \
    AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test \
    AWS_EC2_METADATA_DISABLED=true AWS_ENDPOINT_URL="$PLENARY_TEST_AWS_ENDPOINT" \
    PLENARY_TABLE="$table" PLENARY_SENDER=events@example.org \
    PLENARY_SITE_URL=https://workshop.example.org PLENARY_ALLOWED_ORIGINS=https://workshop.example.org \
    PLENARY_ORGANISER_TOKEN_HASH="$token_hash" PLENARY_JOIN_KEY="$join_key" \
    PLENARY_SES_CONFIGURATION_SET=plenary PLENARY_API_URL=https://api.example.org \
    PLENARY_UPLOADS_BUCKET=plenary-smoke-uploads \
    "$qemu" "$dir/bootstrap" >"$dir/log" 2>&1 &
  pids+=($!)
}

start programme
start registration
start organiser
start notifications

request GET /v1/events >"$work/list-events.json"
request GET /v1/events/nope >"$work/get-event.json"
request GET /v1/registrations/me >"$work/me.json"
request GET /v1/admin/events/nope/stats >"$work/stats-anonymous.json"
request GET /v1/admin/events/nope/stats "authorization=Bearer smoke-token-0123456789abcdef0123456789abcdef" >"$work/stats.json"

check programme "$work/list-events.json" '"statusCode": ?200'
check programme "$work/get-event.json" '"statusCode": ?404'

# A whole path through the real packages: the organiser creates an event, the programme
# function lists it, a newcomer registers, and the notifications job sends the confirmation
# through SES (the emulator).
admin="authorization=Bearer smoke-token-0123456789abcdef0123456789abcdef"
SMOKE_BODY='{"title": "Smoke workshop", "timezone": "Europe/Zurich",
  "starts_at": "2030-03-10T09:00:00+01:00", "ends_at": "2030-03-10T17:00:00+01:00",
  "registration": {"opens_at": "2021-01-01T00:00:00Z"}}' \
  request PUT /v1/admin/events/smoke "$admin" >"$work/put-event.json"
SMOKE_BODY='{"email": "newcomer@example.org", "given_name": "Ada", "family_name": "Lovelace",
  "country": "GB", "organisation": "Analytical Engines", "category": "academia",
  "language": "fr", "consent": true}' \
  request POST /v1/events/smoke/registrations >"$work/register.json"
check organiser "$work/put-event.json" '"statusCode": ?20[01]'
check programme "$work/list-events.json" 'Smoke workshop'
check registration "$work/register.json" '"statusCode": ?202'
check registration "$work/me.json" '"statusCode": ?401'
check organiser "$work/stats-anonymous.json" '"statusCode": ?401'
check organiser "$work/stats.json" '"statusCode": ?404'
check notifications "$fixtures/example-eventbridge-schedule.json" '"sent": ?\[[^]]*confirmation'
check notifications "$fixtures/example-dynamodb-event.json" '"failed": ?0'
check notifications "$fixtures/example-sns-event.json" '"suppressed": ?0'

if [ "$failures" -gt 0 ]; then
  for name in programme registration organiser notifications; do
    echo "--- $name log" >&2
    tail -n 20 "$work/$name/log" >&2
  done
  echo "--- cargo lambda watch log" >&2
  tail -n 20 "$work/watch.log" >&2
  echo "smoke: $failures failed" >&2
  exit 1
fi
echo "smoke: every function answered"

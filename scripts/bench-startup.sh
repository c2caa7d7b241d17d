#!/usr/bin/env bash
# Start-up of each function binary in Lambda mode (host build, release): each is started
# BENCH_RUNS times against a stub of the Lambda runtime API on loopback (runtime-stub, in
# plenary-benches) that hands it one event and times process start → first GET …/next (the
# function's own initialisation) and → POST …/response (plus its first invocation, which
# includes one or more calls to the DynamoDB emulator).
#
#   scripts/bench-startup.sh
#
# Events: the aws_lambda_events fixtures (API Gateway v2 HTTP request, with the path set to a
# route the function owns; EventBridge scheduled event for notifications).
#
# The organiser is started a second time with its two secret settings in a Secrets Manager
# secret of the emulator (PLENARY_SECRET_ID) instead of the environment, as deployed: the
# difference is what reading the secret at start-up costs.
#
# BENCH_BIN_DIR (default target/release) runs other builds of the same binaries, e.g.
# BENCH_NO_BUILD=1 BENCH_BIN_DIR=target/debug after a debug build.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${BENCH_RUNS:-30}
BIN=${BENCH_BIN_DIR:-target/release}
OUT=${BENCH_OUT:-target/bench-startup}
mkdir -p "$OUT"

if [[ -z ${BENCH_NO_BUILD:-} ]]; then
    cargo build --release -p plenary-programme -p plenary-registration -p plenary-organiser \
        -p plenary-notifications -p plenary-local >&2
    cargo build -p plenary-benches --bin runtime-stub >&2
fi

fixtures=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/aws_lambda_events-1.*/src/fixtures | tail -1)
[[ -d $fixtures ]] || { echo "bench-startup: no aws_lambda_events fixtures in the cargo registry" >&2; exit 2; }

eval "$(scripts/emulator.sh start)"
trap 'scripts/emulator.sh stop' EXIT

# A seeded table in the emulator: plenary-local creates and seeds it, then stops.
TABLE=plenary-bench-startup
"$BIN"/plenary-local --port 0 --store dynamodb --dynamodb-endpoint "$PLENARY_TEST_AWS_ENDPOINT" \
    --table "$TABLE" --notifications-interval 0 >"$OUT/seed.out" 2>"$OUT/seed.log" &
seed_pid=$!
for _ in $(seq 300); do grep -q '^Press Ctrl-C' "$OUT/seed.out" 2>/dev/null && break; sleep 0.1; done
kill "$seed_pid"; wait "$seed_pid" 2>/dev/null || true

ORGANISER_TOKEN=bench-organiser-token-0123456789abcdefghijk
export PLENARY_TABLE=$TABLE PLENARY_SENDER=events@plenary.test PLENARY_SITE_URL=https://site.test \
    PLENARY_ALLOWED_ORIGINS=https://site.test PLENARY_UPLOADS_BUCKET=plenary-bench-uploads \
    PLENARY_ORGANISER_TOKEN_HASH=$(printf %s "$ORGANISER_TOKEN" | sha256sum | cut -c1-64) \
    PLENARY_JOIN_KEY=$(printf %064d 7) \
    AWS_ENDPOINT_URL=$PLENARY_TEST_AWS_ENDPOINT RUST_LOG=${RUST_LOG:-info}

# The stub only serves and times; a debug build of it is enough.
stub=target/debug/runtime-stub
http="$fixtures/example-apigw-v2-request-no-authorizer.json"
{
    echo "host: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
    "$stub" --runs "$RUNS" --event "$http" --path /v1/events/qos-workshop-2021/programme \
        -- "$BIN"/programme
    "$stub" --runs "$RUNS" --event "$http" --path /v1/registrations/me \
        --bearer not-a-real-token-0123456789abcdef \
        -- "$BIN"/registration
    "$stub" --runs "$RUNS" --event "$http" --path /v1/admin/events/qos-workshop-2021/stats \
        --bearer "$ORGANISER_TOKEN" \
        -- "$BIN"/organiser
    "$stub" --runs "$RUNS" --event "$fixtures/example-eventbridge-schedule.json" \
        -- "$BIN"/notifications
    # The same organiser, its secret settings read from Secrets Manager at start-up.
    secret=plenary-bench-startup/secrets
    .venv/bin/python - "$secret" <<'PY'
import json, os, sys, boto3
client = boto3.client("secretsmanager", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="us-east-1")
value = json.dumps({"organiser_token_hash": os.environ["PLENARY_ORGANISER_TOKEN_HASH"],
                    "join_key": os.environ["PLENARY_JOIN_KEY"]})
try:
    client.create_secret(Name=sys.argv[1], SecretString=value)
except client.exceptions.ResourceExistsException:
    client.put_secret_value(SecretId=sys.argv[1], SecretString=value)
PY
    echo "organiser, secret settings from Secrets Manager (PLENARY_SECRET_ID):"
    env -u PLENARY_ORGANISER_TOKEN_HASH -u PLENARY_JOIN_KEY PLENARY_SECRET_ID="$secret" \
        "$stub" --runs "$RUNS" --event "$http" --path /v1/admin/events/qos-workshop-2021/stats \
        --bearer "$ORGANISER_TOKEN" \
        -- "$BIN"/organiser
    echo "binary sizes (host, stripped):"
    ls -l "$BIN"/{programme,registration,organiser,notifications} | awk '{printf "  %s %.1f MiB\n", $NF, $5/1048576}'
} | tee "$OUT/results.txt"

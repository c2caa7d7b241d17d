#!/usr/bin/env bash
# Load benchmark of a release build of plenary-local on loopback, with wrk (Debian: apt-get
# install -y wrk). For each scenario and each connection count: requests/s, p50/p99/p99.9 and
# errors; and the server's peak RSS (VmHWM). Results: $BENCH_OUT/results.tsv and stdout.
#
#   scripts/bench-load.sh            # BENCH_DURATION=8s BENCH_CONNECTIONS="1 16 64"
#
# The server runs with the bundled seed (its simulated clock is inside the registration
# window), the notifications timer off (--notifications-interval 0), the per-event registration
# cap out of the way (a load test sends thousands a second) and its JSON logs at the
# default level written to /dev/null (set BENCH_SERVER_LOG=FILE to keep them). Registrations
# go to the generated event bench-2030 (seeded beside the bundled seed's events) (no capacity limit, so every confirmation takes a seat
# and none is waitlisted), each POST with a new address. wrk and the server share the
# machine's cores: these are loopback figures on a shared machine, not a deployment's.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${BENCH_DURATION:-8s}
CONNECTIONS=${BENCH_CONNECTIONS:-1 16 64}
OUT=${BENCH_OUT:-target/bench-load}
# Confirmation tokens prepared per connection count (each confirms once). wrk divides by its
# whole duration even when a thread stops early, so the confirm runs are short and their pools
# larger than they can use; a run that uses up its pool says its rate is a lower bound.
POOL=${BENCH_CONFIRM_POOL:-20000}
CONFIRM_DURATION=${BENCH_CONFIRM_DURATION:-1s}
SERVER_LOG=${BENCH_SERVER_LOG:-/dev/null}
TOKEN=bench-organiser-token-0123456789abcdefghijk
EVENT=bench-2030

command -v wrk >/dev/null || { echo "bench-load: needs wrk (apt-get install -y wrk)" >&2; exit 2; }
mkdir -p "$OUT"
rm -f "$OUT"/results.tsv "$OUT"/tokens-*.txt

if [[ -z ${BENCH_NO_BUILD:-} ]]; then
    cargo build --release -p plenary-local >&2
    cargo build -p plenary-benches --bin bench-seed >&2
fi
target/debug/bench-seed "$OUT/fixture" 200 >&2
# The bundled seed plus the generated event (its programme is past the 64 KiB request-body
# limit, so it is seeded rather than PUT through the organiser route).
python3 - local/seed/circular-331.json "$OUT/fixture/seed.json" >"$OUT/seed.json" <<'PY'
import json, sys
seed = json.load(open(sys.argv[1]))
seed["events"] += json.load(open(sys.argv[2]))["events"]
json.dump(seed, sys.stdout)
PY

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
target/release/plenary-local --port "$PORT" --notifications-interval 0 \
    --registrations-per-event-per-minute 4000000000 \
    --organiser-token "$TOKEN" --seed "$OUT/seed.json" >"$OUT/server.out" 2>"$SERVER_LOG" &
PID=$!
trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    curl -fsS "$BASE/health" >/dev/null 2>&1 && break
    sleep 0.1
done
curl -fsS "$BASE/health" >/dev/null

rss() { awk '/VmHWM/ {printf "%.1f MiB", $2/1024}' "/proc/$PID/status"; }


# --- Lua: the report line every scenario prints, and the request generators.
cat >"$OUT/report.lua" <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT\t%d\t%.0f\t%.3f\t%.3f\t%.3f\t%d\t%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, e.status, e.connect + e.read + e.write + e.timeout))
end
LUA
# POST a registration with a new address each time: prefix-thread-counter@load.test.
# args: path prefix [limit per thread, 0 = none].
cat "$OUT/report.lua" - >"$OUT/register.lua" <<'LUA'
local threads, count = 0, 0
function setup(thread) thread:set("tid", threads); threads = threads + 1 end
function init(args) path = args[1]; prefix = args[2]; limit = tonumber(args[3] or "0") end
function request()
  count = count + 1
  if limit > 0 and count > limit then
    wrk.thread:stop()
    return wrk.format("GET", "/health")
  end
  local body = string.format('{"email":"%s-%d-%d@load.test","given_name":"Ada",' ..
    '"family_name":"Lovelace","country":"GB","organisation":"Analytical Engines",' ..
    '"category":"academia","language":"en","consent":true}', prefix, tid, count)
  return wrk.format("POST", path, {["Content-Type"] = "application/json"}, body)
end
LUA
# POST /v1/registrations/confirm with each token of a file once (tokens split by thread).
# args: file threads.
cat "$OUT/report.lua" - >"$OUT/confirm.lua" <<'LUA'
local threads = 0
function setup(thread) thread:set("tid", threads); threads = threads + 1 end
function init(args)
  tokens, i = {}, 0
  local n, k = tonumber(args[2]), 0
  for line in io.lines(args[1]) do
    if k % n == tid then tokens[#tokens + 1] = line end
    k = k + 1
  end
end
function request()
  i = i + 1
  if i > #tokens then
    wrk.thread:stop()
    return wrk.format("GET", "/health")
  end
  return wrk.format("POST", "/v1/registrations/confirm", {["Content-Type"] = "application/json"},
    '{"token":"' .. tokens[i] .. '"}')
end
LUA

printf 'scenario\tconnections\trequests\trequests_per_s\tp50_ms\tp99_ms\tp99.9_ms\tstatus_errors\tsocket_errors\n' >"$OUT/results.tsv"

threads_for() { if (($1 < 2)); then echo 1; else echo 2; fi; }

# run NAME CONNECTIONS WRK-ARGS...
run() {
    local name=$1 c=$2
    shift 2
    local line
    line=$(wrk -t"$(threads_for "$c")" -c"$c" -d"$DURATION" --timeout 5s "$@" | grep '^RESULT' | cut -f2-)
    printf '%s\t%s\t%s\n' "$name" "$c" "$line" | tee -a "$OUT/results.tsv"
}

status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

PROG="/v1/events/qos-workshop-2021/programme"
ETAG=$(curl -fsS -D - -o /dev/null "$BASE$PROG" | awk -F': ' 'tolower($1)=="etag" {print $2}' | tr -d '\r')
echo "checks: programme $(status "$BASE$PROG"), 304 $(status -H "If-None-Match: $ETAG" "$BASE$PROG"), tz $(status "$BASE$PROG?tz=America/New_York"), events $(status "$BASE/v1/events"), 200-session $(status "$BASE/v1/events/$EVENT/programme") ($(curl -fsS "$BASE/v1/events/$EVENT/programme" | wc -c) bytes; qos: $(curl -fsS "$BASE$PROG" | wc -c) bytes)" >&2

for c in $CONNECTIONS; do
    run programme "$c" -s "$OUT/report.lua" "$BASE$PROG"
    run programme_304 "$c" -s "$OUT/report.lua" -H "If-None-Match: $ETAG" "$BASE$PROG"
    run programme_tz "$c" -s "$OUT/report.lua" "$BASE$PROG?tz=America/New_York"
    run events "$c" -s "$OUT/report.lua" "$BASE/v1/events"
    run programme_200_sessions "$c" -s "$OUT/report.lua" "$BASE/v1/events/$EVENT/programme"
done
echo "server peak RSS after the reads: $(rss)" | tee "$OUT/rss.txt" >&2

# Confirmation tokens: register a pool per connection count, let the job send the
# confirmation emails, read the tokens back from the local outbox.
for c in $CONNECTIONS; do
    wrk -t2 -c8 -d20s -s "$OUT/register.lua" "$BASE" -- \
        "/v1/events/$EVENT/registrations" "pool$c" $((POOL / 2)) >/dev/null
done
# One registrant for the /me runs, confirmed below.
curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' "$BASE/v1/events/$EVENT/registrations" \
    -d '{"email":"me@load.test","given_name":"Ada","family_name":"Lovelace","country":"GB","organisation":"Analytical Engines","category":"academia","language":"en","consent":true}'
while :; do
    more=$(curl -fsS -X POST "$BASE/_local/notifications/run" | python3 -c 'import json,sys; print(json.load(sys.stdin)["more"])')
    [[ $more == False ]] && break
done
curl -fsS "$BASE/_local/outbox" | python3 -c '
import json, re, sys
out = sys.argv[1]
files = {}
for m in json.load(sys.stdin)["messages"]:
    if m["kind"] != "confirmation":
        continue
    pool = m["to"].split("-", 1)[0].split("@", 1)[0]
    t = re.search(r"token=([A-Za-z0-9_-]+)", m["text"]).group(1)
    files.setdefault(pool, []).append(t)
for pool, ts in files.items():
    with open(f"{out}/tokens-{pool}.txt", "w") as f:
        f.write("\n".join(ts) + "\n")
    print(f"{pool}: {len(ts)} confirmation tokens", file=sys.stderr)
' "$OUT"

for c in $CONNECTIONS; do
    DURATION=$CONFIRM_DURATION run confirm "$c" -s "$OUT/confirm.lua" "$BASE" -- "$OUT/tokens-pool$c.txt" "$(threads_for "$c")"
    used=$(tail -n1 "$OUT/results.tsv" | cut -f3)
    if ((used >= $(wc -l <"$OUT/tokens-pool$c.txt"))); then
        echo "confirm at $c connections used up its pool: its rate is a lower bound" | tee -a "$OUT/results.tsv" >&2
    fi
done

# A confirmed registrant's token opens their registration.
ME_TOKEN=$(cat "$OUT/tokens-me.txt")
curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' "$BASE/v1/registrations/confirm" -d "{\"token\":\"$ME_TOKEN\"}"
me_status=$(status -H "Authorization: Bearer $ME_TOKEN" "$BASE/v1/registrations/me")
echo "checks: me $me_status" >&2
[[ $me_status == 200 ]] || { echo "bench-load: the /me token is refused ($me_status)" >&2; exit 1; }
for c in $CONNECTIONS; do
    run me "$c" -s "$OUT/report.lua" -H "Authorization: Bearer $ME_TOKEN" "$BASE/v1/registrations/me"
done

# Last, as it leaves many pending registrations and unsent notices behind.
for c in $CONNECTIONS; do
    run register "$c" -s "$OUT/register.lua" "$BASE" -- "/v1/events/$EVENT/registrations" "load$c" 0
done
echo "server peak RSS at the end: $(rss)" | tee -a "$OUT/rss.txt" >&2

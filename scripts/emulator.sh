#!/usr/bin/env bash
# The DynamoDB + SES emulator (moto's server) on loopback, for the tests and the local stack.
#   scripts/emulator.sh start [NAME]   installs it into ./.venv if needed, starts it on a free
#                                      port, waits until it answers, and prints `export …` lines
#                                      to eval
#   scripts/emulator.sh stop [NAME]    stops the one this checkout started (under that NAME)
# NAME lets several run at once: each answers one request at a time, so the test command gives
# the race suite one of its own (scripts/test.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
state="$root/.tmp"
mkdir -p "$state"
# shellcheck source=scripts/tools.sh
source "$root/scripts/tools.sh"
instance="moto${2:+-$2}"

case "${1:-}" in
  start)
    python_venv .venv scripts/requirements-test.txt
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    nohup "$root/.venv/bin/python" "$root/scripts/emulator_server.py" 127.0.0.1 "$port" >"$state/$instance.log" 2>&1 &
    echo $! >"$state/$instance.pid"
    for _ in $(seq 1 100); do
      if python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=2)" "http://127.0.0.1:$port/moto-api/" >/dev/null 2>&1; then
        echo "export PLENARY_TEST_AWS_ENDPOINT=http://127.0.0.1:$port"
        echo "export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_EC2_METADATA_DISABLED=true"
        exit 0
      fi
      sleep 0.2
    done
    echo "the emulator did not start; see $state/$instance.log" >&2
    exit 1
    ;;
  stop)
    if [ -f "$state/$instance.pid" ]; then
      kill "$(cat "$state/$instance.pid")" 2>/dev/null || true
      rm -f "$state/$instance.pid"
    fi
    ;;
  *)
    echo "usage: $0 start|stop [NAME]" >&2
    exit 2
    ;;
esac

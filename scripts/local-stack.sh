# Sourced by the scripts that test against a real plenary-local (browser tests, Lighthouse, the
# OpenAPI tools, schemathesis, the deployment check): one way to start it and find its address.
#   start_local_stack LOG [ARG ...]   builds it, starts it on a free port with ARGs, output in
#                                     LOG; sets `pid` and `base` (its address, read from the banner)
#   stop_local_stack                  stops it (for the caller's EXIT trap)

start_local_stack() {
  local log="$1"
  shift
  cargo build -p plenary-local --locked --quiet
  # Made before the start: the background job opens it itself, possibly after the first read.
  : >"$log"
  "${CARGO_TARGET_DIR:-target}/debug/plenary-local" --port 0 "$@" >"$log" 2>&1 &
  pid=$!
  base=""
  # --port 0 lets the system pick the port, so the address comes from the banner.
  for _ in $(seq 1 300); do
    base=$(sed -n 's/^Plenary local stack listening on //p' "$log" | head -n 1)
    [ -n "$base" ] && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      cat "$log" >&2
      echo "plenary-local exited before it listened" >&2
      return 1
    fi
    sleep 0.1
  done
  cat "$log" >&2
  echo "plenary-local printed no address within 30 s" >&2
  return 1
}

stop_local_stack() {
  [ -z "${pid:-}" ] && return 0
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

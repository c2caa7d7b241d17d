#!/usr/bin/env bash
# The property tests (shared/tests/properties/, functions/organiser/tests/properties.rs) with far
# more generated inputs than the test command's 256 per property: FUZZ_CASES each (default
# 100,000), in the `fuzz` profile (optimised, overflow checks and debug assertions kept). Each
# property runs on its own so its time is known; a table goes to .tmp/fuzz.tsv. Not a step of
# scripts/test.sh (it takes minutes); TESTING.md records the last run.
set -euo pipefail
cd "$(dirname "$0")/.."

cases="${FUZZ_CASES:-100000}"
export PROPTEST_CASES="$cases"
# proptest's reject limits are sized for 256 cases; filters reject in proportion to the cases.
export PROPTEST_MAX_LOCAL_REJECTS=$((cases * 64))
export PROPTEST_MAX_GLOBAL_REJECTS=$((cases * 4))
# A failure is shrunk and saved (proptest-regressions/); don't let shrinking run for hours.
export PROPTEST_MAX_SHRINK_TIME=60000

# The test binaries, with the package folder each runs in (where proptest finds its sources).
targets=$(cargo test --profile fuzz --locked -p plenary -p plenary-organiser --test properties \
  --no-run --message-format=json |
  python3 -c '
import json, os, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "properties":
        print(os.path.dirname(m["manifest_path"]), m["executable"])
')

mkdir -p .tmp
out=.tmp/fuzz.tsv
log="$PWD/.tmp/fuzz-property.log"
printf 'property\tcases\tseconds\tresult\n' >"$out"
failed=0 total=0 started=$(date +%s)
while read -r dir exe; do
  for name in $("$exe" --list | sed -n 's/: test$//p'); do
    t0=$(date +%s.%N)
    if (cd "$dir" && "$exe" --exact "$name" -q >"$log" 2>&1); then result=ok; else result=FAILED; failed=$((failed + 1)); fi
    t1=$(date +%s.%N)
    seconds=$(python3 -c "print(f'{$t1 - $t0:.1f}')")
    printf '%s\t%s\t%s\t%s\n' "$(basename "$dir")::$name" "$cases" "$seconds" "$result" | tee -a "$out"
    [ "$result" = ok ] || cat "$log" >&2
    total=$((total + cases))
  done
done <<<"$targets"

echo "$total generated inputs in $(($(date +%s) - started)) s; $failed properties failed (table: $out)"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# The harness's own test (not run by run.sh): multi-run scenarios that share a DynamoDB item store and job-definition
# revisions, against hand-written definitions (self-test/definitions/, no fixture, no render), under both engines.
# The scenarios with knownFailures are the harness catching what it must catch (a number where DynamoDB wants a
# string, a condition it does not evaluate, an aws-sdk action AWS does not have, the index of a failed run): each must
# fail with that reason. Ends with "6 passed, 0 failed, 8 skipped" and exits non-zero otherwise.
#
#   test/interpreter/self-test.sh               both engines
#   INTERP_ENGINES=js test/interpreter/self-test.sh
#
# Uses the venv and JARs that run.sh installs (run it once first).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="${INTERP_OUT:-$ROOT/.tmp/interpreter-self-test}"
# shellcheck source=installs.sh
source "$HERE/installs.sh"

if [ ! -f "$VENV/.complete" ] || { [[ " $ENGINES " == *" java "* ]] && [ ! -f "$JARS/.complete" ]; }; then
  echo "self-test.sh: no venv/JARs in $CACHE: run test/interpreter/run.sh once (INTERP_ONLY=workload-succeeds is enough)" >&2
  exit 2
fi
mkdir -p "$OUT"

pids=()
results=()
for engine in $ENGINES; do
  args=(--engine "$engine" --definitions "$HERE/self-test/definitions" --scenarios "$HERE/self-test/scenarios.json"
        --only "${INTERP_ONLY:-}" --json "$OUT/results-$engine.json")
  if [ "$engine" = java ]; then args+=(--jars "$JARS" --differential "$OUT/divergences.json"); fi
  rm -f "$OUT/results-$engine.json"
  "$VENV/bin/python" "$HERE/harness.py" "${args[@]}" 2>"$OUT/log-$engine.txt" &
  pids+=($!)
  results+=("$OUT/results-$engine.json")
done
for pid in "${pids[@]}"; do wait "$pid" || true; done

divergences=()
if [[ " $ENGINES " == *" java "* ]]; then divergences=(--divergences "$OUT/divergences.json"); fi
"$VENV/bin/python" "$HERE/harness.py" report "${results[@]}" --scenarios "$HERE/self-test/scenarios.json" "${divergences[@]}"

#!/usr/bin/env bash
# Runs every rendered state machine in LocalStack's Step Functions interpreter, under its own JSONata engine (the
# Java port, com.dashjoin:jsonata) and under jsonata-js 2.0.6, against the scripted AWS answers of scenarios.json.
# Installs what it needs itself: a Python venv (requirements.txt) and the JSONata JARs (maven-jars.txt) in
# $INTERP_CACHE (default ~/.cache/cdk-scheduled-batch-interp), keyed on those files' hash.
#
#   test/interpreter/run.sh                      everything; prints the table and "N passed, N failed[, N skipped]"
#   INTERP_ONLY=workload-succeeds,... run.sh     some scenarios
#   INTERP_ENGINES=js run.sh                     one engine
#   INTERP_STRICT=1 run.sh                       the scenarios' knownFailures count as failures
#   INTERP_RENDER=0 run.sh                       reuse the definitions rendered last time
#   INTERP_PLANT_EMPTY_LAST=1 run.sh             plants [][-1] in every .sync Task's Output (shows the java runs fail)
#
# Needs: node (the repo's node_modules), Python >= 3.13, a JDK/JRE >= 11 (JAVA_HOME or the default JVM), curl.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="${INTERP_OUT:-$ROOT/.tmp/interpreter}"
# shellcheck source=installs.sh
source "$HERE/installs.sh"
# shellcheck source=../support/maven-jars.sh
source "$HERE/../support/maven-jars.sh"
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
started=$(date +%s)

find_python() {
  local c
  for c in "${INTERP_PYTHON:-}" python3.14 python3.13 /root/.pyenv/versions/3.13*/bin/python3.13 /usr/local/bin/python3.13 /usr/bin/python3.13 python3; do
    [ -n "$c" ] || continue
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 13) else 1)' 2>/dev/null; then
      command -v "$c"; return 0
    fi
  done
  echo "run.sh: no Python >= 3.13 found (localstack-core 2026.3.0 needs it); set INTERP_PYTHON" >&2
  return 1
}

mkdir -p "$CACHE" "$OUT"

# 1. The venv and the JARs (each made in a temporary folder and moved in place when complete).
if [ ! -f "$VENV/.complete" ]; then
  echo "run.sh: installing the Python side in $VENV" >&2
  t0=$(date +%s)
  PY=$(find_python)
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps -r "$HERE/requirements.txt"
  touch "$VENV/.complete"
  echo "run.sh: Python side installed in $(( $(date +%s) - t0 ))s" >&2
fi
if [[ " $ENGINES " == *" java "* ]] && [ ! -f "$JARS/.complete" ]; then
  rm -rf "$JARS"
  fetch_maven_jars "$HERE/maven-jars.txt" "$JARS"
  touch "$JARS/.complete"
fi

# 2. The definitions.
if [ "${INTERP_RENDER:-1}" != 0 ] || [ ! -d "$OUT/definitions" ]; then
  echo "run.sh: rendering the definitions" >&2
  (cd "$ROOT" && TS_NODE_TRANSPILE_ONLY=1 npx ts-node --project test/tsconfig.json test/interpreter/render-definitions.ts "$OUT/definitions" >/dev/null)
fi

# 3. The scenarios, both engines at once (one process each).
pids=()
results=()
for engine in $ENGINES; do
  args=(--engine "$engine" --definitions "$OUT/definitions" --json "$OUT/results-$engine.json")
  if [ "$engine" = java ]; then args+=(--jars "$JARS" --differential "$OUT/divergences.json"); fi
  rm -f "$OUT/results-$engine.json"
  "$VENV/bin/python" "$HERE/harness.py" "${args[@]}" 2>"$OUT/log-$engine.txt" &
  pids+=($!)
  results+=("$OUT/results-$engine.json")
done
for pid in "${pids[@]}"; do wait "$pid" || true; done
for engine in $ENGINES; do
  [ -f "$OUT/results-$engine.json" ] || { echo "run.sh: the $engine run left no results; its log:" >&2; tail -30 "$OUT/log-$engine.txt" >&2 || true; }
done

divergences=()
if [[ " $ENGINES " == *" java "* ]]; then divergences=(--divergences "$OUT/divergences.json"); fi
set +e
"$VENV/bin/python" "$HERE/harness.py" report "${results[@]}" "${divergences[@]}"
status=$?
set -e
echo "run.sh: $(( $(date +%s) - started ))s; details in $OUT" >&2
exit $status

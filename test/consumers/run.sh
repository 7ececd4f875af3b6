#!/usr/bin/env bash
# The four-language proof: the Python, Java and Go consumer apps install the BUILT packages (dist/python, dist/java,
# dist/go, written by `npx projen package-all`) the way a user would, synthesize the same stack as the TypeScript
# reference app, and fail unless every template is byte-identical to TypeScript's.
#
# The Python and Go apps also print `REFUSED <message>`, the error of a workload given a run deadline without run
# tracking: it must name the props as that language writes them ('run_deadline', 'RunDeadline').
#
# Every app also prints `COST <stack> <USD/month>` from CostReport.of(stack) for each stack: those lines must be
# identical to TypeScript's too. The Java app then runs in CONSUMERS_JAVA_RUNS JVMs in all (default 3), each of which
# must write the same templates as the first: Map.of's iteration order changes from one JVM to the next.
#
# Usage: bash test/consumers/run.sh [python|java|go|all] [--self-test]
#   all          python, java and go, then the self-test (the default)
#   --self-test  also prove the comparison fails on a deliberate difference (the TS app run with
#                CONSUMERS_DELIBERATE_DIFF=1 changes one prop); `--self-test` alone runs only that
#
# Outputs: .tmp/consumers/<lang>/ (cloud assemblies), .tmp/consumers/python-venv (fresh on every run).
# Caches: pip's, ~/.m2 and Go's module/build caches (default places). See test/consumers/README.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/test/consumers"
OUT="$ROOT/.tmp/consumers"
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
# The consumer apps run the CDK's built-in template validator, like a user's `cdk synth`; it changes no template.

LANGS=()
SELF_TEST=0
for arg in "$@"; do
  case "$arg" in
    python|java|go) LANGS+=("$arg") ;;
    all) LANGS+=(python java go); SELF_TEST=1 ;;
    --self-test) SELF_TEST=1 ;;
    *) echo "usage: $0 [python|java|go|all] [--self-test]" >&2; exit 2 ;;
  esac
done
if [ "$#" -eq 0 ]; then LANGS=(python java go); SELF_TEST=1; fi

PASSED=0
FAILED=0
FAILED_NAMES=()

log() { echo "[consumers] $*"; }
now() { date +%s; }

require_dist() {
  local what="$1" glob="$2"
  # shellcheck disable=SC2086
  if ! compgen -G "$ROOT/$glob" > /dev/null; then
    echo "[consumers] $what not found ($glob): run 'npx projen compile && npx projen package-all' first" >&2
    exit 1
  fi
}

# compare <reference dir> <candidate dir> <label> [<reference label>]: every *.template.json byte for byte, and the
# same set of them.
compare() {
  local ref="$1" cand="$2" label="$3" ref_label="${4:-typescript}" ok=0 t name
  local ref_list cand_list
  ref_list="$(cd "$ref" && ls -1 ./*.template.json 2>/dev/null | sort || true)"
  cand_list="$(cd "$cand" && ls -1 ./*.template.json 2>/dev/null | sort || true)"
  if [ -z "$ref_list" ]; then
    echo "[consumers] $label: the reference produced no template in $ref" >&2
    return 1
  fi
  if [ "$ref_list" != "$cand_list" ]; then
    echo "[consumers] $label: different template files" >&2
    diff <(echo "$ref_list") <(echo "$cand_list") >&2 || true
    ok=1
  fi
  for t in $ref_list; do
    name="${t#./}"
    [ -f "$cand/$name" ] || continue
    if ! cmp -s "$ref/$name" "$cand/$name"; then
      echo "[consumers] $label: $name differs from ${ref_label}'s:" >&2
      diff -u "$ref/$name" "$cand/$name" --label "$ref_label/$name" --label "$label/$name" | head -80 >&2 || true
      ok=1
    fi
  done
  return "$ok"
}

record() {
  local name="$1" rc="$2"
  if [ "$rc" -eq 0 ]; then PASSED=$((PASSED + 1)); log "PASS $name"; else FAILED=$((FAILED + 1)); FAILED_NAMES+=("$name"); log "FAIL $name"; fi
}

# The COST lines an app printed (its output is in $OUT/<name>.out), for compare_costs.
costs_of() { grep -oE 'COST [A-Za-z0-9-]+ [0-9]+\.[0-9]{2}' "$OUT/$1.out" || true; }

# compare_costs <lang>: the language's COST lines are TypeScript's.
compare_costs() {
  local lang="$1"
  if [ -z "$(costs_of typescript)" ]; then
    echo "[consumers] $lang: the reference printed no COST line" >&2
    return 1
  fi
  if [ "$(costs_of typescript)" != "$(costs_of "$lang")" ]; then
    echo "[consumers] $lang: CostReport figures differ from TypeScript's:" >&2
    diff <(costs_of typescript) <(costs_of "$lang") >&2 || true
    return 1
  fi
}

synth_typescript() {
  local dest="$1"
  rm -rf "$dest"
  require_dist "the compiled library" "lib/index.js"
  (cd "$ROOT" && npx ts-node --transpile-only -P test/tsconfig.json test/consumers/typescript/app.ts "$dest")
}

synth_python() {
  require_dist "the Python wheel" "dist/python/*.whl"
  local venv="$OUT/python-venv"
  rm -rf "$venv" "$OUT/python"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    -r "$HERE/python/requirements.txt" "$ROOT"/dist/python/*.whl
  "$venv/bin/python" "$HERE/python/app.py" "$OUT/python"
}

synth_java() {
  require_dist "the Maven artifact" "dist/java/io/github/cdkscheduledbatch/cdk-scheduled-batch/*/*.jar"
  # The artifact's version (0.0.0) never changes between builds: drop the copy Maven cached from the last run,
  # so that this run installs the artifact just built.
  rm -rf "${HOME}/.m2/repository/io/github/cdkscheduledbatch"
  rm -rf "$OUT/java"
  (cd "$HERE/java" && mvn --batch-mode --quiet compile exec:java -Dexec.args="$OUT/java")
}

synth_go() {
  require_dist "the Go module" "dist/go/*/go.mod"
  rm -rf "$OUT/go"
  # -mod=mod: the replaced module's requirements come from dist/go; let go update go.sum if they moved.
  (cd "$HERE/go" && GOFLAGS="${GOFLAGS:-} -mod=mod" go run . "$OUT/go")
}

# java_runs <n>: runs 2..n of the Java app, each in a fresh JVM (plain `java`, the classes mvn compiled), must write
# the templates of run 1 ($OUT/java).
java_runs() {
  local n="$1" i rc=0 cp
  mvn --batch-mode --quiet -f "$HERE/java/pom.xml" dependency:build-classpath -Dmdep.outputFile="$OUT/java-classpath.txt" > /dev/null
  cp="$HERE/java/target/classes:$(cat "$OUT/java-classpath.txt")"
  for i in $(seq 2 "$n"); do
    rm -rf "$OUT/java-run-$i"
    java -cp "$cp" io.github.cdkscheduledbatch.consumer.ConsumerApp "$OUT/java-run-$i" > "$OUT/java-run-$i.out" || { rc=1; continue; }
    compare "$OUT/java" "$OUT/java-run-$i" "java run $i" "java run 1" || rc=1
  done
  return "$rc"
}

mkdir -p "$OUT"
START=$(now)
t0=$(now)
synth_typescript "$OUT/typescript" | tee "$OUT/typescript.out"
log "typescript reference synthesized in $(( $(now) - t0 ))s"

for lang in "${LANGS[@]}"; do
  t0=$(now)
  rc=0
  if "synth_$lang" > "$OUT/$lang.out"; then
    cat "$OUT/$lang.out"
    log "$lang synthesized in $(( $(now) - t0 ))s"
    compare "$OUT/typescript" "$OUT/$lang" "$lang" || rc=$?
  else
    rc=$?
    cat "$OUT/$lang.out"
    log "$lang failed to synthesize (exit $rc) after $(( $(now) - t0 ))s"
  fi
  record "$lang template identical to typescript" "$rc"
  rc=0; compare_costs "$lang" || rc=$?
  record "$lang CostReport figures identical to typescript ($(costs_of "$lang" | awk '{printf "%s%s $%s", sep, $2, $3; sep=", "}'))" "$rc"
  # A refused prop is named as the language writes it: the library reads the JSII_AGENT the jsii runtime sets.
  expected=""
  case "$lang" in
    python) expected="'run_deadline' is set but 'track_runs' is false" ;;
    go) expected="'RunDeadline' is set but 'TrackRuns' is false" ;;
  esac
  if [ -n "$expected" ]; then
    rc=0; grep -F "REFUSED " "$OUT/$lang.out" | grep -qF -- "$expected" || rc=1
    [ "$rc" -eq 0 ] || { echo "[consumers] $lang: expected a REFUSED line with: $expected" >&2; grep -F "REFUSED" "$OUT/$lang.out" >&2 || true; }
    record "$lang error message names the prop as $lang writes it ($expected)" "$rc"
  fi
  if [ "$lang" = java ] && [ -d "$OUT/java" ] && [ "${CONSUMERS_JAVA_RUNS:-3}" -gt 1 ]; then
    t0=$(now)
    rc=0; java_runs "${CONSUMERS_JAVA_RUNS:-3}" || rc=$?
    record "java templates identical across ${CONSUMERS_JAVA_RUNS:-3} JVM runs ($(( $(now) - t0 ))s for runs 2..${CONSUMERS_JAVA_RUNS:-3})" "$rc"
  fi
done

if [ "$SELF_TEST" -eq 1 ]; then
  # A deliberate difference must make the comparison fail, against TypeScript's own output and every consumer's.
  t0=$(now)
  CONSUMERS_DELIBERATE_DIFF=1 synth_typescript "$OUT/typescript-deliberate-diff"
  for cand in typescript "${LANGS[@]}"; do
    [ -d "$OUT/$cand" ] || continue
    if compare "$OUT/typescript-deliberate-diff" "$OUT/$cand" "$cand" 2> "$OUT/self-test-$cand.log"; then
      echo "[consumers] the comparison passed although the reference was changed: the check is broken" >&2
      record "self-test: a deliberate difference is caught for $cand" 1
    elif grep -q "differs from typescript's" "$OUT/self-test-$cand.log"; then
      # It failed for the right reason: a template diff (the lifecycle rule keeps 26 images instead of 25).
      record "self-test: a deliberate difference is caught for $cand" 0
    else
      cat "$OUT/self-test-$cand.log" >&2
      record "self-test: a deliberate difference is caught for $cand" 1
    fi
  done
  log "self-test done in $(( $(now) - t0 ))s"
fi

log "total $(( $(now) - START ))s"
echo "consumers: $PASSED passed, $FAILED failed"
if [ "$FAILED" -ne 0 ]; then
  printf '[consumers] failed: %s\n' "${FAILED_NAMES[@]}" >&2
  exit 1
fi

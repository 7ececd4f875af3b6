#!/usr/bin/env bash
# The examples and API listings compile in every language (see test/examples/README.md): every TypeScript block of
# README.md, docs/*.md and the @example doc comments that land in API.md, as jsii-rosetta translated it into the tablet
# (`npx projen rosetta`: extract, scripts/rosetta-docs.ts for docs/*.md, scripts/rosetta-go.ts for the Go), the
# blocks the docs write in Python, Java or Go themselves, and the type listings of docs/api/API.go.md and
# API.python.md (listings.ts), compiled against the BUILT packages (`npx projen package-all`):
#   Go      `go vet` of one package per snippet, the library's module replaced by dist/go/cdkscheduledbatch
#   Python  py_compile, then pyright (basic mode) against the wheel from dist/python in a venv
#   Java    javac against the artifact from dist/java and aws-cdk-lib from Maven (test/consumers/java/pom.xml's pins)
# generate.ts writes the units (.tmp/examples/{go,python,java}); see test/examples/README.md.
# Self-test: deliberately broken units (`planted`: a snippet per language, a Go and a Python listing) must fail to
# compile, or this script fails.
#
# Usage: bash test/examples/run.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/test/examples"
OUT="$ROOT/.tmp/examples"
VENV="$ROOT/.tmp/examples-venv"
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
export PIP_DISABLE_PIP_VERSION_CHECK=1

PASSED=0
FAILED=0
FAILED_NAMES=()
log() { echo "[examples] $*"; }
now() { date +%s; }
record() {
  if [ "$2" -eq 0 ]; then PASSED=$((PASSED + 1)); log "PASS $1"; else FAILED=$((FAILED + 1)); FAILED_NAMES+=("$1"); log "FAIL $1"; fi
}

for need in .jsii.tabl.json dist/python/*.whl dist/go/cdkscheduledbatch/go.mod dist/java/io/github/cdkscheduledbatch/cdk-scheduled-batch/*/*.jar; do
  # shellcheck disable=SC2086
  compgen -G "$ROOT/$need" > /dev/null || { echo "[examples] $need not found: run 'npx projen rosetta' and 'npx projen package-all' first" >&2; exit 1; }
done

START=$(now)
(cd "$ROOT" && npx ts-node --transpile-only -P test/tsconfig.json test/examples/generate.ts "$OUT")

# judge <lang> <errors file> <unit...>: every unit but the planted one compiles; the planted one does not.
# A unit (a path under .tmp/examples) has errors when the compiler output names its file.
judge() {
  local lang="$1" errors="$2" unit file where rc
  shift 2
  for unit in "$@"; do
    case "$lang" in go) file="${unit#go/}" ;; *) file="$(basename "$unit")" ;; esac
    where=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], "?"))' "$OUT/index.json" "$unit")
    if [[ "${unit,,}" == *planted* ]]; then
      rc=1; grep -q -- "$file" "$errors" && rc=0
      record "$lang: the planted broken unit fails to compile ($unit)" "$rc"
    else
      rc=0
      if grep -q -- "$file" "$errors"; then
        rc=1
        echo "[examples] $lang: $unit ($where) does not compile:" >&2
        grep -A3 -- "$file" "$errors" | head -40 >&2
      fi
      record "$lang compiles $unit ($where)" "$rc"
    fi
  done
}

# --- Go: one package per snippet in a module whose go.mod/go.sum are the Go consumer's (same pins).
t0=$(now)
GO_DIR="$OUT/go"
sed -e 's#^module .*#module github.com/cdk-scheduled-batch/cdk-scheduled-batch/test/examples/go#' \
    -e "s#=> ../../../dist/go/cdkscheduledbatch#=> $ROOT/dist/go/cdkscheduledbatch#" \
    "$ROOT/test/consumers/go/go.mod" > "$GO_DIR/go.mod"
cp "$ROOT/test/consumers/go/go.sum" "$GO_DIR/go.sum"
# -mod=mod: as in the consumer, the replaced module's requirements come from dist/go.
(cd "$GO_DIR" && GOFLAGS="${GOFLAGS:-} -mod=mod" go vet ./... > "$OUT/go-errors.txt" 2>&1) || true
GO_UNITS=()
for d in "$GO_DIR"/*/; do GO_UNITS+=("go/$(basename "$d")/example.go"); done
judge go "$OUT/go-errors.txt" "${GO_UNITS[@]}"
log "go: ${#GO_UNITS[@]} units vetted in $(( $(now) - t0 ))s"

# --- Python: the wheel and the consumer's pins in a venv (reused while the pins match), py_compile, then pyright.
t0=$(now)
STAMP="$VENV/.requirements"
if [ ! -x "$VENV/bin/python" ] || ! cmp -s "$ROOT/test/consumers/python/requirements.txt" "$STAMP"; then
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet -r "$ROOT/test/consumers/python/requirements.txt"
  cp "$ROOT/test/consumers/python/requirements.txt" "$STAMP"
fi
# The wheel's version (0.0.0) never changes between builds: reinstall the one just built.
"$VENV/bin/pip" install --quiet --no-deps --force-reinstall "$ROOT"/dist/python/*.whl
PY_UNITS=()
: > "$OUT/python-errors.txt"
for f in "$OUT"/python/*.py; do
  PY_UNITS+=("python/$(basename "$f")")
  "$VENV/bin/python" -m py_compile "$f" 2>> "$OUT/python-errors.txt" || true
done
cat > "$OUT/python/pyrightconfig.json" <<EOF
{
  "venvPath": "$(dirname "$VENV")",
  "venv": "$(basename "$VENV")",
  "typeCheckingMode": "basic",
  "reportOptionalMemberAccess": false,
  "reportArgumentType": "warning"
}
EOF
# Errors as "<file>:<line>: <message>" lines (warnings do not fail a unit).
(cd "$OUT/python" && npx --no-install pyright --outputjson -p pyrightconfig.json . > "$OUT/pyright.json" 2> "$OUT/pyright.stderr") || true
python3 - "$OUT/pyright.json" >> "$OUT/python-errors.txt" <<'EOF'
import json, os, sys
report = json.load(open(sys.argv[1]))
for d in report.get("generalDiagnostics", []):
    if d["severity"] == "error":
        print(f'{os.path.basename(d["file"])}:{d["range"]["start"]["line"] + 1}: {d["message"]}'.replace("\n", " "))
summary = report.get("summary", {})
print(f'pyright: {summary.get("filesAnalyzed")} files, {summary.get("errorCount")} errors', file=sys.stderr)
EOF
judge python "$OUT/python-errors.txt" "${PY_UNITS[@]}"
log "python: ${#PY_UNITS[@]} units checked in $(( $(now) - t0 ))s"

# --- Java: javac against the classpath of the Java consumer's POM (the artifact from dist/java, aws-cdk-lib 2.263.0).
t0=$(now)
# The artifact's version (0.0.0) never changes between builds: drop the copy Maven cached from the last run.
rm -rf "${HOME}/.m2/repository/io/github/cdkscheduledbatch"
mvn --batch-mode --quiet -f "$ROOT/test/consumers/java/pom.xml" dependency:build-classpath \
  -Dmdep.outputFile="$OUT/java/classpath.txt" > "$OUT/mvn.log" 2>&1 || { cat "$OUT/mvn.log" >&2; exit 1; }
JAVA_UNITS=()
for f in "$OUT"/java/examples/*.java; do JAVA_UNITS+=("java/examples/$(basename "$f")"); done
(cd "$OUT/java" && javac -Xmaxerrs 10000 -nowarn -d classes -cp "$(cat classpath.txt)" examples/*.java > "$OUT/java-errors.txt" 2>&1) || true
judge java "$OUT/java-errors.txt" "${JAVA_UNITS[@]}"
log "java: ${#JAVA_UNITS[@]} units compiled in $(( $(now) - t0 ))s"

log "total $(( $(now) - START ))s"
echo "examples: $PASSED passed, $FAILED failed"
if [ "$FAILED" -ne 0 ]; then
  printf '[examples] failed: %s\n' "${FAILED_NAMES[@]}" >&2
  exit 1
fi

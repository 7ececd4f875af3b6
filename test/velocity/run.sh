#!/usr/bin/env bash
# Renders the run API's mapping templates with Apache Velocity 1.7 (Java), with commons-lang's escapeJavaScript, and
# compares with velocityjs, the engine of the unit tests: every case must give the same JSON (cases.ts, compare.ts).
# Installs what it needs itself: the JARs of maven-jars.txt in $VTL_CACHE (default ~/.cache/cdk-scheduled-batch-vtl),
# keyed on that file's hash. Needs a JDK >= 11 (javac), curl, and the repo's node_modules.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="${VTL_OUT:-$ROOT/.tmp/velocity}"
CACHE="${VTL_CACHE:-$HOME/.cache/cdk-scheduled-batch-vtl}"
key=$(cat "$HERE/maven-jars.txt" "$HERE/VtlRender.java" | sha256sum | cut -c1-16)
JARS="$CACHE/jars-$key"
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
# shellcheck source=../support/maven-jars.sh
source "$HERE/../support/maven-jars.sh"
mkdir -p "$CACHE" "$OUT"

if [ ! -f "$JARS/.complete" ]; then
  rm -rf "$JARS"
  fetch_maven_jars "$HERE/maven-jars.txt" "$JARS"
  mkdir -p "$JARS/classes"
  javac -nowarn -cp "$JARS/*" -d "$JARS/classes" "$HERE/VtlRender.java"
  touch "$JARS/.complete"
fi

cd "$ROOT"
compare() { # compare <name>: renders cases.ts's cases with both engines and compares them
  TS_NODE_TRANSPILE_ONLY=1 npx ts-node --project test/tsconfig.json test/velocity/cases.ts "$OUT/$1-cases.json" >&2
  java -cp "$JARS/*:$JARS/classes" VtlRender "$OUT/$1-cases.json" "$OUT/$1-rendered.json"
  TS_NODE_TRANSPILE_ONLY=1 npx ts-node --project test/tsconfig.json test/velocity/compare.ts "$OUT/$1-cases.json" "$OUT/$1-rendered.json"
}

# The gate catches what it is for: a planted divergence fails it.
if VTL_PLANT=1 compare planted > "$OUT/planted.log" 2>&1 || ! grep -q '^DIFFERS  PLANTED' "$OUT/planted.log"; then
  echo "run.sh: the planted divergence was not caught; its log:" >&2; tail -5 "$OUT/planted.log" >&2; exit 1
fi
echo "velocity: the planted divergence (a second #set, to a missing value) was caught" >&2
compare templates

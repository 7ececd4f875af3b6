#!/usr/bin/env bash
# The independent checkers, on every example stack (test/fixtures/*.ts):
#   1. synth-fixtures.ts: synthesizes them with aws-cdk-lib's built-in template validator and the cdk-nag
#      AwsSolutions pack; fails on any finding that is not acknowledged with a reason.
#   2. cfn-lint (AWS's own resource schemas): 0 errors AND 0 warnings on every template.
#   3. checkov (--framework cloudformation): 0 failed checks, run the way a user runs it on our templates: no project
#      config file, no --skip-check, no CKV_* variables. The only skips are the `Metadata: checkov: skip:` entries the
#      constructs write into the templates, each with its reason (listed in docs/security.md).
# Then the self-test: each gate must FAIL on test/checkers/planted.ts (an open bucket, SSH open to the world and an
# invalid property), or this script fails.
#
# Usage: bash test/checkers/run.sh [--no-self-test]
# Outputs: .tmp/checkers/cdk.out (examples), .tmp/checkers/planted; venv: .tmp/checkers-venv (reused while the pins match).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/test/checkers"
OUT="$ROOT/.tmp/checkers"
VENV="$ROOT/.tmp/checkers-venv"
SELF_TEST=1
[ "${1:-}" = "--no-self-test" ] && SELF_TEST=0
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
# The built-in template validator is one of the gates: never run it switched off.
unset CDK_VALIDATION
# checkov: no calls home (no platform key here; the registries are the only network).
export BC_SKIP_MAPPING=TRUE CHECKOV_SKIP_VERSION_CHECK=1 CHECKOV_RUN_SCA_PACKAGE_SCAN_V2=false

PASSED=0
FAILED=0
FAILED_NAMES=()
log() { echo "[checkers] $*"; }
record() {
  if [ "$2" -eq 0 ]; then PASSED=$((PASSED + 1)); log "PASS $1"; else FAILED=$((FAILED + 1)); FAILED_NAMES+=("$1"); log "FAIL $1"; fi
}

# --- the venv with the pinned checkers
STAMP="$VENV/.requirements"
if [ ! -x "$VENV/bin/cfn-lint" ] || ! cmp -s "$HERE/requirements.txt" "$STAMP"; then
  t0=$(date +%s)
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$HERE/requirements.txt"
  cp "$HERE/requirements.txt" "$STAMP"
  log "venv with $(tr '\n' ' ' < <(grep -v '^#' "$HERE/requirements.txt")) ready in $(( $(date +%s) - t0 ))s"
fi

synth() { # synth <outdir> [--planted]
  (cd "$ROOT" && npx ts-node --transpile-only -P test/tsconfig.json test/checkers/synth-fixtures.ts --outdir "$@")
}
cfn_lint() { # cfn_lint <dir>: non-zero on any error or warning
  "$VENV/bin/cfn-lint" --non-zero-exit-code warning --format parseable -- "$1"/*.template.json
}
checkov_run() { # checkov_run <dir>
  # From an empty directory with an empty HOME: checkov reads .checkov.yaml/.checkov.yml from the scanned directory,
  # the working directory and HOME, so none can add skips; CKV_SKIP_CHECK/CKV_CHECK would, so they are unset.
  local clean="$OUT/checkov-clean"
  rm -rf "$clean" && mkdir -p "$clean/home"
  if compgen -G "$1/.checkov.y*ml" > /dev/null; then
    echo "[checkers] $1 holds a checkov config file: the templates must pass on their own metadata" >&2
    return 1
  fi
  (cd "$clean" && env -u CKV_SKIP_CHECK -u CKV_CHECK HOME="$clean/home" \
    "$VENV/bin/checkov" --framework cloudformation --compact --quiet --skip-download -d "$1")
}

# --- the example stacks
t0=$(date +%s)
rc=0; synth "$OUT/cdk.out" || rc=$?
record "cdk-nag AwsSolutions + built-in validator on the examples ($(( $(date +%s) - t0 ))s)" "$rc"
if ! compgen -G "$OUT/cdk.out/*.template.json" > /dev/null; then
  echo "[checkers] no template was synthesized" >&2
  exit 1
fi
t0=$(date +%s)
rc=0; cfn_lint "$OUT/cdk.out" || rc=$?
record "cfn-lint: 0 errors, 0 warnings on $(ls "$OUT"/cdk.out/*.template.json | wc -l) templates ($(( $(date +%s) - t0 ))s)" "$rc"
t0=$(date +%s)
rc=0; checkov_run "$OUT/cdk.out" || rc=$?
record "checkov without a config file: 0 failed checks ($(( $(date +%s) - t0 ))s)" "$rc"

# --- self-test: every gate must fail on the planted resources, and for the planted reason
if [ "$SELF_TEST" -eq 1 ]; then
  expect_failure() { # expect_failure <name> <log> <pattern...>: the command already ran; $rc is its exit code
    local name="$1" logf="$2" p missing=""
    shift 2
    for p in "$@"; do grep -q -- "$p" "$logf" || missing="$missing $p"; done
    if [ "$rc" -ne 0 ] && [ -z "$missing" ]; then
      record "self-test: $name fails on the planted resources" 0
    else
      cat "$logf" >&2
      echo "[checkers] $name: exit code $rc, missing in its output:${missing:- nothing}" >&2
      record "self-test: $name fails on the planted resources" 1
    fi
  }
  rc=0; synth "$OUT/planted" --planted > "$OUT/planted-nag.log" 2>&1 || rc=$?
  expect_failure "cdk-nag gate" "$OUT/planted-nag.log" AwsSolutions-S10 AwsSolutions-EC23
  rc=0; cfn_lint "$OUT/planted" > "$OUT/planted-cfn-lint.log" 2>&1 || rc=$?
  expect_failure "cfn-lint gate" "$OUT/planted-cfn-lint.log" E3002 E3012
  rc=0; checkov_run "$OUT/planted" > "$OUT/planted-checkov.log" 2>&1 || rc=$?
  expect_failure "checkov gate" "$OUT/planted-checkov.log" CKV_AWS_24 CKV_AWS_18
fi

echo "checkers: $PASSED passed, $FAILED failed"
if [ "$FAILED" -ne 0 ]; then
  printf '[checkers] failed: %s\n' "${FAILED_NAMES[@]}" >&2
  exit 1
fi

#!/usr/bin/env bash
# Runs docs/getting-started.md as written, per language, from an empty directory with EMPTY caches, and times it.
#
# The doc marks its blocks for this script with an HTML comment on the line before the fence:
#   <!-- getting-started: <lang> file <path> -->  a file of the project (written into an empty directory first)
#   <!-- getting-started: <lang> install -->      shell, in that directory: install the library (from dist/)
#   <!-- getting-started: <lang> synth -->        shell, in that directory: synthesize (run twice: cold, then warm)
# Each language runs with HOME in a fresh temporary directory, so npm's, pip's, Maven's (~/.m2), Go's (module and
# build) and jsii's caches all start empty; only ~/.npmrc (registry configuration) is copied. The network path to
# the registries is whatever this machine has. Needs `npx projen package-all` first (dist/).
#
# Usage: bash scripts/getting-started.sh [typescript|python|java|go ...]   (default: all four)
# Prints `::time <lang> install|synth-cold|synth-warm <seconds>s`, and keeps the projects and their caches (about 1 GB)
# in $GETTING_STARTED_DIR (default: $TMPDIR/cdk-scheduled-batch-getting-started), outside the repository: jest would
# find the aws-cdk-lib copies of the jsii caches under .tmp.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DOC="$ROOT/docs/getting-started.md"
OUT="${GETTING_STARTED_DIR:-${TMPDIR:-/tmp}/cdk-scheduled-batch-getting-started}"
LANGS=("$@")
[ "${#LANGS[@]}" -gt 0 ] || LANGS=(typescript python java go)
PYTHON3="$(python3 -c 'import sys; print(sys.executable)')" # the interpreter itself: pyenv's shims need the real HOME

# blocks <lang> <kind>: writes each matching block of the doc to stdout, as NUL-separated "<path>\t<content>" records.
blocks() {
  "$PYTHON3" - "$DOC" "$1" "$2" <<'EOF'
import re, sys
doc, lang, kind = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(doc).read()
for m in re.finditer(r"<!-- getting-started: (\w+) (install|synth|file)(?: (\S+))? -->\n```[^\n]*\n(.*?)\n```", text, re.S):
    if m.group(1) == lang and m.group(2) == kind:
        sys.stdout.write(f"{m.group(3) or '-'}\t{m.group(4)}\n\0")
EOF
}

run_language() {
  local lang="$1" work home t0 path content found=0
  work="$OUT/$lang"
  rm -rf "$work"
  mkdir -p "$work/home" "$work/project"
  home="$work/home"
  cp "$HOME/.npmrc" "$home/.npmrc" 2>/dev/null || true
  while IFS=$'\t' read -r -d '' path content; do
    mkdir -p "$work/project/$(dirname "$path")"
    printf '%s\n' "$content" > "$work/project/$path"
  done < <(blocks "$lang" file)

  # A clean environment: empty caches under the fresh HOME; the library checkout as $LIB, as the doc says.
  local -a env_vars=(
    HOME="$home" PATH="$PATH" LANG=C.UTF-8 LIB="$ROOT" PYENV_ROOT="${PYENV_ROOT:-$HOME/.pyenv}"
    GOPATH="$home/go" GOCACHE="$home/.cache/go-build" GOFLAGS="${GOFLAGS:-}" GOPROXY="$(go env GOPROXY)"
    PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_CERT="${PIP_CERT:-}"
    # Java's user.home comes from the password database, not $HOME: Maven's ~/.m2 would be the warm one.
    MAVEN_OPTS="-Duser.home=$home"
  )
  local step
  for step in install synth synth; do
    local script label
    script="$(blocks "$lang" "$step" | tr -d '\0' | cut -f2-)"
    [ -n "$script" ] || { echo "[getting-started] no '$lang $step' block in $DOC" >&2; return 1; }
    case "$step" in install) label=install ;; *) [ "$found" -eq 0 ] && label=synth-cold || label=synth-warm; found=1 ;; esac
    t0=$(date +%s.%N)
    (cd "$work/project" && env -i "${env_vars[@]}" bash -euo pipefail -c "$script") > "$work/$label.log" 2>&1 || {
      echo "[getting-started] $lang $label failed:" >&2
      tail -30 "$work/$label.log" >&2
      return 1
    }
    printf '::time %s %s %.0fs\n' "$lang" "$label" "$(echo "$(date +%s.%N) - $t0" | bc)"
  done
  [ -f "$work/project/cdk.out/Nightly.template.json" ] || { echo "[getting-started] $lang: no template" >&2; return 1; }
}

for lang in "${LANGS[@]}"; do
  run_language "$lang"
done

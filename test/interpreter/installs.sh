# Sourced by run.sh and self-test.sh (after they set HERE): the engines to run and where the interpreter's installs
# are cached, keyed by what they install (requirements.txt, maven-jars.txt), so a changed pin installs afresh.
CACHE="${INTERP_CACHE:-$HOME/.cache/cdk-scheduled-batch-interp}"
ENGINES="${INTERP_ENGINES:-java js}"
export PYTHONDONTWRITEBYTECODE=1
key=$(cat "$HERE/requirements.txt" "$HERE/maven-jars.txt" | sha256sum | cut -c1-16)
VENV="$CACHE/venv-$key"
JARS="$CACHE/jars-$key"

# Sourced by test/interpreter/run.sh and test/velocity/run.sh.
# fetch_maven_jars <list> <dir>: downloads each JAR of <list> (lines "<path under maven2/> <sha256>", # comments) from
# Maven Central into <dir> and checks its sha256; fails on a download or a checksum that does not match.
fetch_maven_jars() {
  local list="$1" dir="$2" path sha
  mkdir -p "$dir"
  grep -v '^#' "$list" | while read -r path sha; do
    [ -n "$path" ] || continue
    curl -sfSL --retry 3 -o "$dir/$(basename "$path")" "https://repo1.maven.org/maven2/$path"
    echo "$sha  $dir/$(basename "$path")" | sha256sum -c --quiet -
  done
}

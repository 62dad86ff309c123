#!/usr/bin/env bash
# Rewrites an expected-pass list from a fresh run: every test that passes now.
#   update.sh [ONYX] [DATA]            the ONNX 1.12 data -> expected_pass.txt
#   update.sh ONYX DATA newer          newer backend data -> expected_pass_newer.txt
# A listed test that no longer passes is not dropped: the script names such tests and
# leaves the list as it was, unless --allow-drop is given. The list's "# minimum: N"
# line is set to the new list's size.
set -euo pipefail
allow_drop=0
args=()
for a in "$@"; do
  if [ "$a" = --allow-drop ]; then allow_drop=1; else args+=("$a"); fi
done
set -- "${args[@]+"${args[@]}"}"
onyx=${1:-build/onyx}
data=${2:-/usr/share/libonnx-testdata/data}
kind=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
if [ "$kind" = newer ]; then
  list="$here/expected_pass_newer.txt"
  title="Newer ONNX backend node tests (opsets 18 and later) that must pass; suite/test per line."
else
  list="$here/expected_pass.txt"
  title="ONNX 1.12 backend tests (Debian libonnx-testdata) that must pass; suite/test per line."
fi
suites=()
for suite in node pytorch-converted pytorch-operator simple; do
  [ -d "$data/$suite" ] && suites+=("$data/$suite")
done
passing=$(mktemp)
trap 'rm -f "$passing"' EXIT
# onyx test exits 1 while any test fails; only the PASS lines matter here.
{ "$onyx" test "${suites[@]}" || true; } | awk '$1 == "PASS" {print $2}' | sort > "$passing"
if [ -f "$list" ]; then
  dropped=$(comm -23 <(grep -v '^#' "$list" | sed '/^$/d' | sort) "$passing")
  if [ -n "$dropped" ]; then
    echo "listed in $(basename "$list") but not passing now ($(echo "$dropped" | wc -l)):"
    echo "$dropped" | sed 's/^/  /'
    if [ "$allow_drop" = 0 ]; then
      echo "$(basename "$list") left unchanged; rerun with --allow-drop to drop them"
      exit 1
    fi
  fi
fi
count=$(wc -l < "$passing")
{
  echo "# $title"
  echo "# Regenerate with tests/conformance/update.sh after adding operators."
  echo "# minimum: $count (the gate refuses a shorter list; update.sh keeps it at the list size)"
  cat "$passing"
} > "$list"
echo "$count tests listed in $(basename "$list")"

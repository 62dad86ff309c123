#!/usr/bin/env bash
# Rewrites an expected-pass list from a fresh run: every test that passes now.
#   update.sh [ONYX] [DATA]            the ONNX 1.12 data -> expected_pass.txt
#   update.sh ONYX DATA newer          newer backend data -> expected_pass_newer.txt
set -euo pipefail
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
{
  echo "# $title"
  echo "# Regenerate with tests/conformance/update.sh after adding operators."
  # onyx test exits 1 while any test fails; only the PASS lines matter here.
  { "$onyx" test "${suites[@]}" || true; } | awk '$1 == "PASS" {print $2}' | sort
} > "$list"
echo "$(grep -vc '^#' "$list") tests listed in $(basename "$list")"

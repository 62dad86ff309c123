#!/usr/bin/env bash
# Rewrites expected_pass.txt from a fresh run: every test that passes now.
set -euo pipefail
onyx=${1:-build/onyx}
data=${2:-/usr/share/libonnx-testdata/data}
here=$(cd "$(dirname "$0")" && pwd)
{
  echo "# ONNX 1.12 backend tests (Debian libonnx-testdata) that must pass; suite/test per line."
  echo "# Regenerate with tests/conformance/update.sh after adding operators."
  # onyx test exits 1 while any test fails; only the PASS lines matter here.
  { "$onyx" test "$data/node" "$data/pytorch-converted" "$data/pytorch-operator" "$data/simple" || true; } \
    | awk '$1 == "PASS" {print $2}' | sort
} > "$here/expected_pass.txt"
echo "$(grep -vc '^#' "$here/expected_pass.txt") tests listed"

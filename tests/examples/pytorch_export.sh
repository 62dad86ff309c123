#!/usr/bin/env bash
# The PyTorch walkthrough (examples/pytorch_export) as a test: export, check, print, run,
# compare with PyTorch, and the picture flow through the module and the command line.
# Skipped (exit 77) where PyTorch is not installed; .ci/run installs python3-torch.
# Usage: pytorch_export.sh PYTHON ONYX_CLI SCRIPT
set -euo pipefail
python=$1 cli=$2 script=$3
if ! "$python" -c "import torch" 2>/dev/null; then
  echo "PyTorch is not installed (Debian's python3-torch): skipped"
  exit 77
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$python" "$script" --out "$out" --onyx-cli "$cli"

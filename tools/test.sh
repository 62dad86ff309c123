#!/usr/bin/env bash
# Quick start, part two: install dependencies, build, and run every test
# (unit tests and the ONNX backend conformance suite) through ctest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/tools/install-deps.sh"
bash "$root/tools/build.sh"
cd "$root/build"
ctest --output-on-failure --no-tests=error -j"$(nproc)"

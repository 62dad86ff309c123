#!/usr/bin/env bash
# Quick start, part one: install dependencies, build, then check, print, run and
# benchmark the bundled example classifier (examples/tiny_cnn).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/tools/install-deps.sh"
bash "$root/tools/build.sh" -DONYX_BUILD_BENCH=OFF
onyx="$root/build/onyx"
model="$root/examples/tiny_cnn/model.onnx"
echo "== onyx check";  "$onyx" check "$model"
echo "== onyx print";  "$onyx" print "$model"
echo "== onyx run";    "$onyx" run "$model" --input "input=$root/examples/tiny_cnn/input_0.pb"
echo "== onyx bench";  "$onyx" bench "$model" --dim batch=8 --iters 50

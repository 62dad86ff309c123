#!/usr/bin/env bash
# Configures and builds Onyx (Release) in ./build. Usage: tools/build.sh [cmake args...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release "$@" > "$root/build.cmake.log" 2>&1 \
  || { cat "$root/build.cmake.log"; exit 1; }
cmake --build "$root/build" -j"$(nproc)"

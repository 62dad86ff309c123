#!/usr/bin/env bash
# Installs the Debian packages Onyx builds, tests and benchmarks with, and any named
# as arguments (tools/fuzz.sh adds clang). Idempotent: only missing packages are
# fetched, so a second run is quick and offline-safe.
set -euo pipefail
packages=(build-essential cmake pkg-config
          libprotobuf-dev protobuf-compiler libonnx-dev
          libopenblas-dev libtbb-dev libgtest-dev libgmock-dev libbenchmark-dev
          libre2-dev
          libonnx-testdata python3-onnx python3-numpy
          python3-dev pybind11-dev python3-pytest graphviz
          libjpeg62-turbo-dev libpng-dev libtiff-dev libwebp-dev libopenjp2-7-dev
          "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"

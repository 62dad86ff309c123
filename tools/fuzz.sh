#!/usr/bin/env bash
# Builds and runs the libFuzzer targets of tests/fuzz (clang, ASan + UBSan) in ./build-fuzz.
#
#   tools/fuzz.sh TARGET SECONDS [libFuzzer args...]   fuzz one target for SECONDS
#   tools/fuzz.sh --smoke [BUILD_DIR]                  build every target and run each
#                                                      from its seeds; fails on a crash.
#                                                      BUILD_DIR: run the targets built
#                                                      there (-DONYX_FUZZ=ON) as they are
#   tools/fuzz.sh --build                              build only
#
# Targets: fuzz_model (model bytes -> session -> one run), fuzz_inputs (.pb/.npy readers).
# The corpus of TARGET lives in build-fuzz/corpus/TARGET (ONYX_FUZZ_CORPUS overrides the
# parent folder), merged once from the seeds tests/fuzz/make_seeds.sh builds from the
# ONNX backend test data. Crashes are written to build-fuzz/artifacts/TARGET/.
# ONYX_FUZZ_SMOKE_SECONDS (default 45) is each target's fuzzing time in --smoke mode.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-fuzz"
targets=(fuzz_model fuzz_inputs)

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[ $# -ge 1 ] || usage

# clang and the libFuzzer runtime, beside what the build needs.
fuzz_packages=(clang libclang-rt-14-dev)
install_fuzz_deps() { bash "$root/tools/install-deps.sh" "${fuzz_packages[@]}"; }

build_targets() {
  install_fuzz_deps
  local launcher=()
  if command -v ccache > /dev/null; then
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  fi
  # -O1 -g: quick enough to fuzz, readable stacks; asserts stay on.
  mkdir -p "$build"
  CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DONYX_FUZZ=ON \
      -DONYX_BUILD_TESTS=OFF -DONYX_BUILD_BENCH=OFF -DONYX_BUILD_PYTHON=OFF \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" "${launcher[@]}" > "$build/cmake.log" 2>&1 \
    || { cat "$build/cmake.log"; exit 1; }
  cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"
}

seeds() {
  [ -f "$build/seeds/.done" ] && return 0
  bash "$root/tests/fuzz/make_seeds.sh" "$build/seeds"
  touch "$build/seeds/.done"
}

# What every run gets: per-input time and memory limits (one malloc over 1 GiB is a
# finding), final statistics, and UBSan/ASan reports that stop the run.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
common_args() {
  local target=$1
  mkdir -p "$build/artifacts/$target"
  echo -timeout=30 -rss_limit_mb=2560 -malloc_limit_mb=1024 -print_final_stats=1 \
       -artifact_prefix="$build/artifacts/$target/"
}

check_target() {
  local t
  for t in "${targets[@]}"; do [ "$1" = "$t" ] && return 0; done
  echo "fuzz: unknown target '$1' (targets: ${targets[*]})" >&2
  exit 2
}

case "$1" in
  -h|--help) usage ;;
  --build) build_targets ;;
  --smoke)
    start=$(date +%s)
    if [ $# -ge 2 ]; then
      build=$(cd "$2" && pwd)
      for t in "${targets[@]}"; do
        [ -x "$build/$t" ] || { echo "fuzz: no $t in $build (configure it with -DONYX_FUZZ=ON)" >&2; exit 1; }
      done
    else
      build_targets
    fi
    seeds
    seconds=${ONYX_FUZZ_SMOKE_SECONDS:-45}
    for t in "${targets[@]}"; do
      corpus=$(mktemp -d)
      echo "fuzz: smoke $t: every seed, then ${seconds}s of fuzzing"
      # shellcheck disable=SC2046
      if ! "$build/$t" $(common_args "$t") -max_total_time="$seconds" "$corpus" \
           "$build/seeds/$t" > "$build/smoke-$t.log" 2>&1; then
        tail -n 60 "$build/smoke-$t.log"
        echo "fuzz: smoke $t FAILED (log: $build/smoke-$t.log, input in $build/artifacts/$t/)" >&2
        rm -rf "$corpus"
        exit 1
      fi
      grep -E '^stat::number_of_executed_units|^#[0-9]+ *DONE' "$build/smoke-$t.log" || true
      rm -rf "$corpus"
    done
    echo "fuzz: smoke passed in $(( $(date +%s) - start ))s"
    ;;
  *)
    [ $# -ge 2 ] || usage
    target=$1 seconds=$2
    shift 2
    check_target "$target"
    build_targets
    cd "$build"  # where -jobs=N writes its fuzz-N.log files
    corpus="${ONYX_FUZZ_CORPUS:-$build/corpus}/$target"
    if [ ! -d "$corpus" ]; then
      seeds
      mkdir -p "$corpus"
      echo "fuzz: merging the seeds of $target into $corpus"
      # shellcheck disable=SC2046
      "$build/$target" $(common_args "$target") -merge=1 "$corpus" "$build/seeds/$target"
    fi
    # shellcheck disable=SC2046
    exec "$build/$target" $(common_args "$target") -max_total_time="$seconds" "$@" "$corpus"
    ;;
esac

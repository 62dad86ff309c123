#!/usr/bin/env bash
# Builds Onyx under a sanitizer and runs the tests that exercise it; any report fails.
#   tools/test-sanitized.sh address [cmake args...]  ASan + UBSan, in build-asan, with
#       clang: the unit suite, the ONNX backend conformance suites (every ctest variant),
#       the malformed-model corpus, then the libFuzzer targets, built in the same tree
#       (-DONYX_FUZZ=ON), run as a short smoke test (tools/fuzz.sh --smoke).
#   tools/test-sanitized.sh thread [cmake args...]   TSan, in build-tsan: the concurrent
#       Session::run stress test.
# Extra arguments go to cmake (a compiler launcher such as ccache, say).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-}
case "$mode" in
  address) dir="$root/build-asan" ;;
  thread) dir="$root/build-tsan" ;;
  *) echo "usage: tools/test-sanitized.sh address|thread [cmake args...]" >&2; exit 2 ;;
esac
shift
supp="$root/tests/sanitizers"
extra=()
if [ "$mode" = address ]; then
  # clang, so that one build serves the suites and the fuzz targets (libFuzzer).
  bash "$root/tools/install-deps.sh" clang libclang-rt-14-dev
  export CC=clang CXX=clang++
  extra=(-DONYX_FUZZ=ON)
else
  bash "$root/tools/install-deps.sh"
fi
cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=Release -DONYX_SANITIZE="$mode" \
  -DONYX_BUILD_BENCH=OFF -DONYX_BUILD_PYTHON=OFF "${extra[@]}" "$@" > "$dir.cmake.log" 2>&1 \
  || { cat "$dir.cmake.log"; exit 1; }

# Reports go to files, printed at the end, so that one in a child process whose
# failure a test expects (the CLI tests run the real binary on bad models) is not lost.
reports="$dir/sanitizer-reports"
rm -rf "$reports"
mkdir -p "$reports"
status=0
if [ "$mode" = address ]; then
  cmake --build "$dir" -j"$(nproc)"
  export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:print_stacktrace=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:log_path=$reports/asan:suppressions=$supp/asan.supp"
  export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0"
  export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$reports/ubsan:suppressions=$supp/ubsan.supp"
  # The whole unit suite, then every backend suite variant (under a sanitizer they run
  # in one process each, which takes seconds).
  "$dir/tests/onyx_unit_tests" || status=1
  (cd "$dir" && ctest --output-on-failure --no-tests=error -j"$(nproc)" -R '^(conformance|malformed_corpus)') \
    || status=1
  # Its own sanitizer options: a finding stops the fuzzer and is written to its log.
  (unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; bash "$root/tools/fuzz.sh" --smoke "$dir") \
    || status=1
else
  cmake --build "$dir" -j"$(nproc)" --target onyx_concurrent_tests
  # TBB and OpenBLAS are not built with TSan: OpenBLAS keeps to the calling thread.
  export OPENBLAS_NUM_THREADS=1
  # The longest access history: a task a thread stole from another run's parallel loop
  # inside TBB is suppressed only if TSan can still restore that earlier access's stack
  # (its libtbb.so frames); with the default history it is sometimes lost, and the
  # report then shows a race TBB's own synchronization excludes.
  export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:history_size=7:log_path=$reports/tsan:suppressions=$supp/tsan.supp"
  "$dir/tests/onyx_concurrent_tests" || status=1
fi
if [ -n "$(ls -A "$reports")" ]; then
  for f in "$reports"/*; do echo "== $f"; cat "$f"; done
  status=1
fi
[ "$status" -eq 0 ] || { echo "test-sanitized: $mode: FAILED"; exit 1; }
echo "test-sanitized: $mode: clean"

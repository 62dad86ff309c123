#!/usr/bin/env bash
# The runtime never ends the process on a user's error: no object of the libraries given
# calls abort, exit or assert's failure handler (an assert left on, in a build without
# NDEBUG), so every failure reaches the caller as an onyx::Error.
#   tests/hardening/no_exit_calls.sh LIBRARY.a...
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: no_exit_calls.sh LIBRARY.a..." >&2; exit 2; }
forbidden='^(abort|exit|_exit|_Exit|quick_exit|__assert_fail|__assert_perror_fail)$'
status=0
for lib in "$@"; do
  [ -f "$lib" ] || { echo "no_exit_calls: $lib: no such file" >&2; exit 2; }
  # nm -A: "archive:object: U symbol"; the symbol is the last field.
  hits=$(nm -A -u "$lib" | awk '{print $1, $NF}' | awk -v re="$forbidden" '$2 ~ re' || true)
  if [ -n "$hits" ]; then
    echo "no_exit_calls: calls that end the process in $(basename "$lib"):"
    echo "$hits" | sed 's/^/  /'
    status=1
  fi
done
[ "$status" -eq 0 ] && echo "no_exit_calls: none in $# libraries"
exit "$status"

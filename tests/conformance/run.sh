#!/usr/bin/env bash
# Runs the ONNX backend suites with `onyx test` and fails when a test on the
# expected-pass list does not pass. Tests passing but not yet listed are reported
# so the list can grow (tests/conformance/update.sh rewrites it); a list shorter than
# its "# minimum: N" line is refused. Arguments after the
# first three go to `onyx test` (--threads N, --reference).
set -uo pipefail
onyx=$1 data=$2 expected=$3
shift 3
[ -f "$expected" ] || { echo "conformance: no expected list at $expected"; exit 1; }
# The list shrinks only on purpose: it must hold at least its recorded minimum.
listed=$(grep -v '^#' "$expected" | sed '/^$/d' | wc -l)
minimum=$(sed -n 's/^# minimum: \([0-9][0-9]*\).*/\1/p' "$expected" | head -1)
[ -n "$minimum" ] || { echo "conformance: $expected records no '# minimum: N' line"; exit 1; }
if [ "$listed" -lt "$minimum" ]; then
  echo "conformance: $expected lists $listed tests, fewer than its recorded minimum $minimum"
  exit 1
fi
suites=()  # the backend data's suites that this data folder holds
for suite in node pytorch-converted pytorch-operator simple; do
  [ -d "$data/$suite" ] && suites+=("$suite")
done
[ ${#suites[@]} -gt 0 ] || { echo "conformance: no backend suites under $data"; exit 1; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$onyx" test "${suites[@]/#/$data/}" "$@" > "$out"
grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -1 | sed 's/^/backend suite: /'

missing=$(comm -23 <(grep -v '^#' "$expected" | sed '/^$/d' | sort) \
                   <(awk '$1 == "PASS" {print $2}' "$out" | sort))
new=$(comm -13 <(grep -v '^#' "$expected" | sed '/^$/d' | sort) \
               <(awk '$1 == "PASS" {print $2}' "$out" | sort))
if [ -n "$new" ]; then
  echo "passing but not on the expected list ($(echo "$new" | wc -l)):"
  echo "$new" | sed 's/^/  /'
fi
if [ -n "$missing" ]; then
  echo "expected to pass but did not ($(echo "$missing" | wc -l) of $listed):"
  for t in $missing; do grep -E "^(FAIL|ERROR) $t(:|$)" "$out" | sed 's/^/  /'; done
  echo "conformance: 0 passed, 1 failed"
  exit 1
fi
echo "conformance: all $listed expected tests pass"

#!/usr/bin/env bash
# Checks the conformance gate itself on fake lists and a fake `onyx test` that passes
# node/test_a and node/test_b and fails node/test_c: run.sh refuses a list shorter
# than its recorded minimum (or with none), and update.sh refuses to drop a listed test
# unless given --allow-drop.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
check() {  # check NAME WANT_STATUS WANT_TEXT COMMAND...
  local name=$1 want=$2 text=$3
  shift 3
  local got=0
  "$@" > "$work/out" 2>&1 || got=$?
  if [ "$got" != "$want" ] || { [ -n "$text" ] && ! grep -qF -- "$text" "$work/out"; }; then
    echo "FAIL $name: status $got (want $want), output:"
    sed 's/^/  /' "$work/out"
    failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}

mkdir -p "$work/data/node"
cat > "$work/onyx" <<'EOF'
#!/usr/bin/env bash
printf 'PASS node/test_a\nPASS node/test_b\nFAIL node/test_c: wrong\n2 passed, 1 failed\n'
exit 1
EOF
chmod +x "$work/onyx"
list() {  # list FILE MINIMUM TESTS...
  local file=$1 minimum=$2
  shift 2
  { echo "# fake list"; [ -n "$minimum" ] && echo "# minimum: $minimum"; printf '%s\n' "$@"; } \
    > "$file"
}

list "$work/ok.txt" 2 node/test_a node/test_b
check "minimum met" 0 "all 2 expected tests pass" \
  "$here/run.sh" "$work/onyx" "$work/data" "$work/ok.txt"
list "$work/short.txt" 3 node/test_a node/test_b
check "shorter than minimum" 1 "lists 2 tests, fewer than its recorded minimum 3" \
  "$here/run.sh" "$work/onyx" "$work/data" "$work/short.txt"
list "$work/none.txt" "" node/test_a node/test_b
check "no minimum" 1 "records no '# minimum: N' line" \
  "$here/run.sh" "$work/onyx" "$work/data" "$work/none.txt"
list "$work/failing.txt" 3 node/test_a node/test_b node/test_c
check "listed test fails" 1 "expected to pass but did not (1 of 3)" \
  "$here/run.sh" "$work/onyx" "$work/data" "$work/failing.txt"

# update.sh rewrites the list beside it, so it runs from a copy.
mkdir "$work/conf"
cp "$here/update.sh" "$work/conf/"
list "$work/conf/expected_pass.txt" 2 node/test_a node/test_c
cp "$work/conf/expected_pass.txt" "$work/before.txt"
check "update refuses a drop" 1 "  node/test_c" \
  "$work/conf/update.sh" "$work/onyx" "$work/data"
check "refused update leaves the list" 0 "" cmp "$work/before.txt" "$work/conf/expected_pass.txt"
check "update drops when allowed" 0 "2 tests listed" \
  "$work/conf/update.sh" "$work/onyx" "$work/data" --allow-drop
check "new list and minimum" 0 "" diff <(grep -v '^# [A-Z]' "$work/conf/expected_pass.txt") \
  <(printf '# minimum: 2 (the gate refuses a shorter list; update.sh keeps it at the list size)\nnode/test_a\nnode/test_b\n')
check "update that drops nothing" 0 "2 tests listed" \
  "$work/conf/update.sh" "$work/onyx" "$work/data"

[ "$failures" = 0 ] || { echo "gate_test: $failures failed"; exit 1; }
echo "gate_test: all checks pass"

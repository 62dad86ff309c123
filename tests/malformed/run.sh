#!/usr/bin/env bash
# Runs the malformed-model corpus: writes it with make_corpus.py into WORK_DIR, then runs
# `onyx run --random-inputs` on every model and checks that each one fails the way
# expected.tsv says: exit status 1 (never a signal), one line on stderr that starts with
# "onyx run: KIND:" and mentions the case's phrase.
# Usage: tests/malformed/run.sh ONYX WORK_DIR
set -uo pipefail
onyx=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"
/usr/bin/python3 "$here/make_corpus.py" "$work" || exit 1
total=0
bad=0
while IFS=$'\t' read -r name kind phrase; do
  total=$((total + 1))
  err=$(timeout 60 "$onyx" run "$work/$name.onnx" --random-inputs --threads 1 2>&1 >/dev/null)
  status=$?
  why=""
  if [ "$status" -ne 1 ]; then
    why="exit status $status"
  elif [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ]; then
    why="more than one line"
  elif [[ "$err" != "onyx run: $kind: "* ]]; then
    why="not '$kind'"
  elif [[ "$err" != *"$phrase"* ]]; then
    why="does not mention '$phrase'"
  fi
  if [ -n "$why" ]; then
    bad=$((bad + 1))
    echo "FAIL $name ($why): $err"
  fi
done < "$work/expected.tsv"
echo "malformed corpus: $((total - bad)) of $total models refused as expected"
[ "$total" -ge 80 ] || { echo "the corpus has fewer than 80 models"; exit 1; }
[ "$bad" -eq 0 ]

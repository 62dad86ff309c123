#!/usr/bin/env bash
# Builds the fuzzers' seed corpora from the ONNX backend test data (generated, not
# committed). Usage: tests/fuzz/make_seeds.sh OUT_DIR [DATA_DIR...]
#   OUT_DIR/fuzz_model   the node tests' model.onnx files (under 64 KiB)
#   OUT_DIR/fuzz_inputs  their input_*.pb / output_*.pb, each behind the two header
#                        bytes fuzz_inputs reads (reader, element type), and a few .npy
# DATA_DIR defaults to /usr/share/libonnx-testdata/data and, when present, the newer
# ONNX test data beside the repository (../shared/onnx-tests).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?usage: make_seeds.sh OUT_DIR [DATA_DIR...]}
shift
dirs=("$@")
if [ ${#dirs[@]} -eq 0 ]; then
  dirs=(/usr/share/libonnx-testdata/data)
  [ -d "$root/../shared/onnx-tests/node" ] && dirs+=("$root/../shared/onnx-tests")
fi
models="$out/fuzz_model"
inputs="$out/fuzz_inputs"
rm -rf "$models" "$inputs"
mkdir -p "$models" "$inputs"

max_bytes=65536
n=0
for data in "${dirs[@]}"; do
  [ -d "$data/node" ] || { echo "make_seeds: no node/ folder in $data" >&2; exit 1; }
  tag=$(basename "$data")
  for test in "$data"/node/*/; do
    name=$(basename "$test")
    model="$test/model.onnx"
    if [ -f "$model" ] && [ "$(stat -c %s "$model")" -lt $max_bytes ]; then
      cp "$model" "$models/$tag-$name.onnx"
    fi
    for pb in "$test"/test_data_set_0/*.pb; do
      [ -f "$pb" ] && [ "$(stat -c %s "$pb")" -lt $max_bytes ] || continue
      base="$tag-$name-$(basename "$pb" .pb)"
      # Header bytes: reader (0 tensor, 2 sequence, 3 optional) and element type.
      # The file's own kind is not known here; each reader gets it, and libFuzzer's
      # merge keeps the ones that reach something new.
      case "$name" in
        *sequence*|*optional*|*loop*|*split_to*|*concat_from*)
          { printf '\x02\x01'; cat "$pb"; } > "$inputs/$base.seq"
          { printf '\x03\x01'; cat "$pb"; } > "$inputs/$base.opt"
          { printf '\x03\x81'; cat "$pb"; } > "$inputs/$base.optseq" ;;
        *)
          { printf '\x00\x01'; cat "$pb"; } > "$inputs/$base.tensor" ;;
      esac
      n=$((n + 1))
    done
  done
done

# A few .npy files (format 1.0 and 3.0), behind the header byte of the .npy reader
# and the element type from_npy_array is asked for.
npy() {  # npy FILE TYPE_BYTE VERSION DESCR SHAPE DATA_PRINTF
  local file=$1 type=$2 version=$3 descr=$4 shape=$5 data=$6
  local header="{'descr': '$descr', 'fortran_order': False, 'shape': $shape, }"
  local prefix=10
  [ "$version" = 1 ] || prefix=12
  local pad=$(( (64 - (prefix + ${#header} + 1) % 64) % 64 ))
  header="$header$(printf '%*s' "$pad" '')"
  local len=$(( ${#header} + 1 ))
  {
    printf '\x01'; printf "\\x$(printf %02x "$type")"
    printf '\x93NUMPY'; printf "\\x0$version\\x00"
    if [ "$version" = 1 ]; then
      printf "\\x$(printf %02x $((len & 255)))\\x$(printf %02x $((len >> 8)))"
    else
      printf "\\x$(printf %02x $((len & 255)))\\x$(printf %02x $((len >> 8)))\\x00\\x00"
    fi
    printf '%s\n' "$header"
    printf "$data"
  } > "$inputs/$file"
}
npy f32.npy 1 1 '<f4' '(2, 2)' '\x00\x00\x80\x3f\x00\x00\x00\x40\x00\x00\x40\x40\x00\x00\x80\x40'
npy f64_scalar.npy 11 1 '<f8' '()' '\x00\x00\x00\x00\x00\x00\xf0\x3f'
npy i64.npy 7 1 '<i8' '(3,)' '\x01\x00\x00\x00\x00\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff\x02\x00\x00\x00\x00\x00\x00\x00'
npy bool.npy 9 1 '|b1' '(2,)' '\x01\x00'
npy u8_int4.npy 22 1 '|i1' '(3,)' '\x01\xf9\x07'
npy u16_bf16.npy 16 3 '<u2' '(2,)' '\x80\x3f\x00\x40'
npy f16_empty.npy 10 1 '<f2' '(0, 3)' ''

echo "make_seeds: $(ls "$models" | wc -l) models in $models, $(ls "$inputs" | wc -l) input files in $inputs"

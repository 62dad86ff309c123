#!/usr/bin/env bash
# Installs a build into a scratch prefix and uses it as a project outside the tree would:
# examples/installed_library built through the CMake package (libonyx.so and libonyx.a),
# its C program also through pkg-config, the installed CLI and the installed Python
# module. Every program runs examples/tiny_cnn on the same ramp image; their outputs must
# agree with the installed CLI's run of the reference kernels (rtol 1e-4). Prints the
# size of libonyx.so once stripped, and fails past MAX_BYTES when that is given.
#   tests/install/run.sh BUILD_DIR SOURCE_DIR [MAX_BYTES]
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"
cmake --install "$build" --prefix "$prefix" > "$work/install.log"
model="$src/examples/tiny_cnn/model.onnx"

libdir=$(dirname "$(find "$prefix" -name libonyx.so -print -quit)")
strip -o "$work/libonyx.stripped.so" "$libdir/libonyx.so"
size=$(stat -c %s "$work/libonyx.stripped.so")
echo "install: stripped libonyx.so is $size bytes"
if [ -n "${3:-}" ] && [ "$size" -gt "$3" ]; then
  echo "install: that is over the budget of $3 bytes"
  exit 1
fi

cmake -S "$src/examples/installed_library" -B "$work/example" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_BUILD_TYPE=Release > "$work/example.log" 2>&1 || { cat "$work/example.log"; exit 1; }
cmake --build "$work/example" -j"$(nproc)" > "$work/example-build.log" 2>&1 \
  || { cat "$work/example-build.log"; exit 1; }
export PKG_CONFIG_PATH="$libdir/pkgconfig"
# shellcheck disable=SC2046
cc -o "$work/classify_pc" "$src/examples/installed_library/classify.c" $(pkg-config --define-variable=prefix="$prefix" --cflags --libs onyx) \
  -Wl,-rpath,"$libdir"

# The ramp image, and the reference: the installed CLI with the reference kernels.
python_module=$(find "$prefix" -name 'onyx.cpython-*.so' -print -quit)  # none with -DONYX_BUILD_PYTHON=OFF
/usr/bin/python3 - "$work" <<'PY'
import sys, numpy as np
np.save(f"{sys.argv[1]}/ramp.npy", (np.arange(3 * 32 * 32) % 97 / 97).astype(np.float32).reshape(1, 3, 32, 32))
PY
"$prefix/bin/onyx" run "$model" --input input="$work/ramp.npy" --reference --output-dir "$work/ref" \
  --output-format npy > /dev/null
programs=(classify_cpp classify_static classify_c classify_pc)
if [ -n "$python_module" ]; then
  programs+=(python)
  PYTHONPATH=$(dirname "$python_module") /usr/bin/python3 - "$work" "$model" <<'PY' > "$work/python.txt"
import sys, numpy as np, onyx as ort
s = ort.InferenceSession(sys.argv[2])
for v in s.run(None, {"input": np.load(f"{sys.argv[1]}/ramp.npy")})[0].ravel():
    print(f"{v:.6f}")
PY
fi
for program in classify_cpp classify_static classify_c; do
  "$work/example/$program" "$model" > "$work/$program.txt"
done
"$work/classify_pc" "$model" > "$work/classify_pc.txt"
/usr/bin/python3 - "$work" "${programs[@]}" <<'PY'
import sys, numpy as np
work, names = sys.argv[1], sys.argv[2:]
want = np.load(f"{work}/ref/output_0.npy").ravel()
for name in names:
    got = np.loadtxt(f"{work}/{name}.txt", dtype=np.float32)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6, err_msg=name)
print(f"install: {', '.join(names)} agree with the reference kernels on {want.size} values")
PY

"""onyx profile (tables and a Chrome trace), onyx print --dot (rendered by Graphviz's
dot) and the Python module's profiling, on the bundled example and backend test models."""
import json
import os
import shutil
import subprocess

import numpy as np
import pytest

import onyx as ort
from test_module import BACKEND, TINY_CNN

CLI = os.environ.get("ONYX_CLI")
needs_cli = pytest.mark.skipif(not CLI, reason="ONYX_CLI (the path of the onyx binary) is not set")


def trace_events(path):
    with open(path) as f:
        trace = json.load(f)
    assert trace["displayTimeUnit"] == "ms"
    for e in trace["traceEvents"]:
        assert e["ph"] == "X" and e["dur"] >= 0 and e["ts"] >= 0
    return trace["traceEvents"]


@needs_cli
def test_profile_prints_tables_and_writes_a_chrome_trace(tmp_path):
    trace = tmp_path / "trace.json"
    out = subprocess.run([CLI, "profile", TINY_CNN, "--iters", "3", "--threads", "1",
                          "--optimization", "none", "--trace", str(trace)],
                         capture_output=True, text=True, check=True).stdout
    assert "3 runs after 1 warm-up" in out and "by op type" in out and "by node" in out
    assert "Conv" in out
    events = trace_events(trace)
    runs = [e for e in events if e["cat"] == "run"]
    nodes = [e for e in events if e["cat"] == "node"]
    assert len(runs) == 3
    nodes_per_run = len(nodes) // 3
    assert len(nodes) == 3 * nodes_per_run and nodes_per_run > 0
    assert {e["args"]["op_type"] for e in nodes} >= {"Conv", "Relu"}
    # Every node lies within a run.
    for n in nodes:
        assert any(r["ts"] <= n["ts"] and n["ts"] + n["dur"] <= r["ts"] + r["dur"] + 1e-3 for r in runs)


@needs_cli
@pytest.mark.skipif(not shutil.which("dot"), reason="Graphviz's dot is not installed")
@pytest.mark.parametrize("model", [TINY_CNN, os.path.join(BACKEND, "node", "test_if", "model.onnx")])
def test_print_dot_renders_with_graphviz(model, tmp_path):
    dot = subprocess.run([CLI, "print", model, "--dot"], capture_output=True, text=True,
                         check=True).stdout
    assert dot.startswith("digraph ")
    svg = subprocess.run(["dot", "-Tsvg"], input=dot, capture_output=True, text=True, check=True).stdout
    assert "<svg" in svg
    if "test_if" in model:
        assert "cluster_" in dot and "then_branch" in svg
    else:
        assert "Conv" in svg and "float[batch, 3, 32, 32]" in dot


def test_python_profiling_writes_a_trace_like_onnxruntime(tmp_path):
    opts = ort.SessionOptions()
    opts.enable_profiling = True
    opts.profile_file_prefix = str(tmp_path / "prof")
    s = ort.InferenceSession(TINY_CNN, opts)
    x = np.zeros((1, 3, 32, 32), np.float32)
    s.run(None, {"input": x})
    s.run(None, {"input": x})
    path = s.end_profiling()
    assert path.startswith(str(tmp_path / "prof_")) and path.endswith(".json")
    events = trace_events(path)
    assert sum(e["cat"] == "run" for e in events) == 2
    assert ort.InferenceSession(TINY_CNN).end_profiling() == ""  # profiling off


# ---- images in and out of onyx run ----

def write_ppm(path, rgb):
    """rgb: uint8 [H, W, 3]."""
    h, w, _ = rgb.shape
    with open(path, "wb") as f:
        f.write(b"P6\n%d %d\n255\n" % (w, h) + rgb.tobytes())


def read_png(path):
    """8-bit gray or RGB, not interlaced, every row unfiltered (what onyx writes)."""
    import struct
    import zlib
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour = header[:4]
    channels = {0: 1, 2: 3}[colour]
    assert depth == 8
    raw = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(height, 1 + width * channels)
    assert (raw[:, 0] == 0).all()  # filter type None
    return raw[:, 1:].reshape(height, width, channels)


def resize_half_pixel(img, out_h, out_w):
    """Bilinear resize of float [H, W, C], pixel centres at half-integers, edges clamped."""
    h, w, _ = img.shape
    def coords(n_out, n_in):
        s = np.clip((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0, n_in - 1)
        i0 = np.floor(s).astype(int)
        return i0, np.minimum(i0 + 1, n_in - 1), (s - i0)[:, None]
    y0, y1, fy = coords(out_h, h)
    x0, x1, fx = coords(out_w, w)
    top = img[y0][:, x0] + (img[y0][:, x1] - img[y0][:, x0]) * fx[None]
    bottom = img[y1][:, x0] + (img[y1][:, x1] - img[y1][:, x0]) * fx[None]
    return top + (bottom - top) * fy[:, None]


@needs_cli
def test_run_takes_an_image_resized_and_normalized(tmp_path):
    rng = np.random.default_rng(3)
    rgb = rng.integers(0, 256, (40, 50, 3), dtype=np.uint8)
    write_ppm(tmp_path / "img.ppm", rgb)
    subprocess.run([CLI, "run", TINY_CNN, "--input", f"input={tmp_path / 'img.ppm'}", "--size", "32x32",
                    "--mean", "0.5,0.4,0.3", "--std", "0.25", "--output-dir", str(tmp_path / "out"),
                    "--output-format", "npy"], capture_output=True, text=True, check=True)
    x = resize_half_pixel(rgb.astype(np.float32), 32, 32) / 255
    x = ((x - np.array([0.5, 0.4, 0.3], np.float32)) / 0.25).transpose(2, 0, 1)[None].astype(np.float32)
    want = ort.InferenceSession(TINY_CNN).run(None, {"input": x})[0]
    np.testing.assert_allclose(np.load(tmp_path / "out" / "output_0.npy"), want, rtol=1e-4, atol=1e-5)


@needs_cli
def test_save_image_writes_an_output_as_png(tmp_path):
    from onnx import TensorProto, helper
    # y = 1 - x over float[1, 3, h, w]: the negative of the image.
    one = helper.make_tensor("one", TensorProto.FLOAT, [], [1.0])
    graph = helper.make_graph([helper.make_node("Sub", ["one", "x"], ["y"])], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, "h", "w"])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3, "h", "w"])],
                              initializer=[one])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    (tmp_path / "neg.onnx").write_bytes(model.SerializeToString())
    rgb = np.random.default_rng(4).integers(0, 256, (5, 7, 3), dtype=np.uint8)
    write_ppm(tmp_path / "img.ppm", rgb)
    out = subprocess.run([CLI, "run", str(tmp_path / "neg.onnx"), "--input", f"x={tmp_path / 'img.ppm'}",
                          "--save-image", f"y={tmp_path / 'neg.png'}"], capture_output=True, text=True,
                         check=True).stdout
    assert "wrote y to" in out
    np.testing.assert_array_equal(read_png(tmp_path / "neg.png"), 255 - rgb)

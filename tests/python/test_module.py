"""The Python module `onyx`, used the way onnxruntime's scripts use onnxruntime.

Outputs are checked against the ONNX backend test data (computed by ONNX's reference
implementation) and against values worked out by hand; the models are the backend
tests' own or built here with onnx.helper.
"""
import os
import subprocess
import sys
import threading
import warnings

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

import onyx
import onyx as ort  # the one change an onnxruntime script needs

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BACKEND = os.environ.get("ONYX_BACKEND_DATA", "/usr/share/libonnx-testdata/data")
TINY_CNN = os.path.join(ROOT, "examples", "tiny_cnn", "model.onnx")


# ---- the backend tests' data ----

def read_value(path, type_proto):
    """A test_data_set file as numpy: an array, a list (sequence) or None (empty optional)."""
    with open(path, "rb") as f:
        data = f.read()
    kind = type_proto.WhichOneof("value")
    if kind == "sequence_type":
        seq = onnx.SequenceProto()
        seq.ParseFromString(data)
        return numpy_helper.to_list(seq)
    if kind == "optional_type":
        opt = onnx.OptionalProto()
        opt.ParseFromString(data)
        return numpy_helper.to_optional(opt)
    t = TensorProto()
    t.ParseFromString(data)
    return numpy_helper.to_array(t)


def backend_case(name):
    folder = os.path.join(BACKEND, "node", name)
    model = onnx.load(os.path.join(folder, "model.onnx"))
    data = os.path.join(folder, "test_data_set_0")
    inputs = {vi.name: read_value(os.path.join(data, f"input_{i}.pb"), vi.type)
              for i, vi in enumerate(model.graph.input)}
    outputs = [read_value(os.path.join(data, f"output_{i}.pb"), vi.type)
               for i, vi in enumerate(model.graph.output)]
    return os.path.join(folder, "model.onnx"), inputs, outputs


def as_text(a):
    return np.vectorize(lambda s: s.decode() if isinstance(s, bytes) else s, otypes=[object])(a)


def expect_same(got, want):
    if want is None or isinstance(want, list):
        assert (got is None) == (want is None)
        if want is not None:
            assert isinstance(got, list) and len(got) == len(want)
            for g, w in zip(got, want):
                expect_same(g, w)
        return
    assert isinstance(got, np.ndarray)
    assert got.shape == want.shape
    if want.dtype == object:
        assert got.dtype == object
        assert as_text(got).tolist() == as_text(want).tolist()
    else:
        assert got.dtype == want.dtype
        if want.dtype.kind == "f":
            np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-5)
        else:
            np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("name", [
    "test_relu",                                  # float
    "test_conv_with_strides_padding",
    "test_cast_FLOAT_to_DOUBLE",                  # double out
    "test_castlike_FLOAT_to_FLOAT16",             # float16 out
    "test_equal_bcast",                           # bool out
    "test_gather_0",                              # int64 in
    "test_top_k",                                 # int64 out
    "test_cast_FLOAT_to_STRING",                  # strings out
    "test_strnormalizer_export_monday_casesensintive_lower",  # strings in and out
    "test_sequence_insert_at_back",               # sequences in and out
    "test_identity_sequence",
    "test_optional_get_element",                  # an optional input
    "test_optional_get_element_sequence",
    "test_optional_has_element_empty",            # an empty optional fed as None
])
def test_backend_models_match_the_reference_outputs(name):
    path, inputs, want = backend_case(name)
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    got = session.run(None, inputs)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        expect_same(g, w)


def test_the_onnxruntime_one_liner_works_as_written():
    script = ("import onyx as ort, numpy as np; s = ort.InferenceSession('examples/tiny_cnn/model.onnx'); "
              "print(s.run(None, {s.get_inputs()[0].name: np.zeros((1,3,32,32), np.float32)})[0].shape)")
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                         check=True, env=os.environ)
    assert out.stdout.strip() == "(1, 10)"


# ---- models built here ----

def model_bytes(nodes, inputs, outputs, opset=13, **kwargs):
    graph = helper.make_graph(nodes, "g", inputs, outputs, initializer=kwargs.pop("initializer", []))
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], **kwargs)
    m.ir_version = 8
    return m.SerializeToString()


def add_model():
    """z = x + y over float[batch, 3]."""
    return model_bytes(
        [helper.make_node("Add", ["x", "y"], ["z"])],
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3]),
         helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3])],
        [helper.make_tensor_value_info("z", TensorProto.FLOAT, ["batch", 3])],
        producer_name="onyx-tests", doc_string="adds")


def test_inputs_outputs_and_metadata_are_described_as_onnxruntime_does():
    s = ort.InferenceSession(add_model())
    (x, y), (z,) = s.get_inputs(), s.get_outputs()
    assert (x.name, x.type, x.shape) == ("x", "tensor(float)", ["batch", 3])
    assert (y.name, y.type, y.shape) == ("y", "tensor(float)", [1, 3])
    assert (z.name, z.type) == ("z", "tensor(float)")
    assert "NodeArg(name='x'" in repr(x)
    meta = s.get_modelmeta()
    assert (meta.producer_name, meta.graph_name, meta.description) == ("onyx-tests", "g", "adds")
    assert s.get_providers() == ["CPUExecutionProvider"]
    assert ort.get_available_providers() == ["CPUExecutionProvider"]


def test_run_selects_outputs_by_name_and_takes_any_array_like():
    s = ort.InferenceSession(add_model())
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    (z,) = s.run(["z"], {"x": x, "y": [[np.float32(10), np.float32(20), np.float32(30)]]})
    np.testing.assert_array_equal(z, x + np.array([10, 20, 30], np.float32))
    # A strided view (every other row, reversed columns) is read as its values, and so
    # is big-endian data.
    view = np.arange(24, dtype=np.float32).reshape(8, 3)[::2, ::-1]
    (z,) = s.run(None, {"x": view, "y": np.zeros((1, 3), np.float32)})
    np.testing.assert_array_equal(z, view)
    (z,) = s.run(None, {"x": view.astype(">f4"), "y": np.zeros((1, 3), ">f4")})
    np.testing.assert_array_equal(z, view)


def test_outputs_never_alias_inputs_or_the_models_constants():
    # y = Identity(x) passes the input through; c is an initializer returned as it is.
    c = np.array([1, 2, 3], np.float32)
    blob = model_bytes(
        [helper.make_node("Identity", ["x"], ["y"]), helper.make_node("Identity", ["c"], ["c_out"])],
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3]),
         helper.make_tensor_value_info("c_out", TensorProto.FLOAT, [3])],
        initializer=[numpy_helper.from_array(c, "c")])
    s = ort.InferenceSession(blob)
    x = np.array([4, 5, 6], np.float32)
    y, c_out = s.run(None, {"x": x})
    assert not np.shares_memory(y, x)
    c_out[:] = -1  # writing to an output leaves the session's constant alone
    np.testing.assert_array_equal(s.run(None, {"x": x})[1], c)


def test_errors_are_python_exceptions_of_a_class_per_kind():
    with pytest.raises(ort.IoError, match="io error: .*absent.onnx"):
        ort.InferenceSession("/nonexistent/absent.onnx")
    with pytest.raises(ort.InvalidModel, match="invalid model"):
        ort.InferenceSession(b"\x0a\xff\xff\xff\xff\x0f")
    s = ort.InferenceSession(add_model())
    ones = np.ones((1, 3), np.float32)
    with pytest.raises(ort.InvalidInput, match="'x'"):
        s.run(None, {"x": np.ones((2, 3), np.float64), "y": ones})  # float64 for float
    with pytest.raises(ort.InvalidInput, match="'y'"):
        s.run(None, {"x": np.ones((2, 3), np.float32), "y": np.ones((2, 3), np.float32)})
    with pytest.raises(ort.InvalidInput, match="'w'"):
        s.run(None, {"x": ones, "y": ones, "w": ones})
    # Every kind is an onyx.Error, which is a RuntimeError.
    for kind in (ort.InvalidModel, ort.UnsupportedOperator, ort.UnsupportedModel, ort.InvalidInput,
                 ort.LimitExceeded, ort.IoError, ort.InternalError):
        assert issubclass(kind, ort.Error) and issubclass(kind, RuntimeError)
    unknown_op = model_bytes([helper.make_node("Frobnicate", ["x"], ["y"])],
                             [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
                             [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])])
    with pytest.raises(ort.UnsupportedOperator, match="Frobnicate"):
        ort.InferenceSession(unknown_op)


def test_types_numpy_lacks_are_refused_by_name():
    path, inputs, _ = backend_case("test_cast_FLOAT_to_BFLOAT16")
    s = ort.InferenceSession(path)
    with pytest.raises(TypeError, match="output 'output' is bfloat16"):
        s.run(None, inputs)
    with pytest.raises(TypeError, match="complex"):
        ort.InferenceSession(add_model()).run(None, {"x": np.ones((1, 3), np.complex64),
                                                     "y": np.ones((1, 3), np.float32)})


def test_session_options_and_providers():
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 2
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    x = np.random.default_rng(0).standard_normal((1, 3, 32, 32)).astype(np.float32)
    plain = ort.InferenceSession(TINY_CNN, sess_options=opts)
    assert plain.get_session_options().intra_op_num_threads == 2
    ref_opts = ort.SessionOptions()
    ref_opts.use_reference_kernels = True
    reference = ort.InferenceSession(TINY_CNN, ref_opts)
    fast = ort.InferenceSession(TINY_CNN)
    want = reference.run(None, {"input": x})[0]
    np.testing.assert_allclose(plain.run(None, {"input": x})[0], want, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(fast.run(None, {"input": x})[0], want, rtol=1e-4, atol=1e-5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ort.InferenceSession(TINY_CNN, providers=["CUDAExecutionProvider", "CPUExecutionProvider"])
    assert any("CUDAExecutionProvider" in str(w.message) for w in caught)
    with pytest.raises(ValueError, match="intra_op_num_threads"):
        bad = ort.SessionOptions()
        bad.intra_op_num_threads = -1
        ort.InferenceSession(TINY_CNN, bad)


def test_one_session_runs_from_eight_threads_at_once():
    s = ort.InferenceSession(TINY_CNN)
    rng = np.random.default_rng(1)
    feeds = [rng.standard_normal((1, 3, 32, 32)).astype(np.float32) for _ in range(8)]
    want = [s.run(None, {"input": x})[0] for x in feeds]
    got = [None] * 8

    def work(i):
        for _ in range(5):
            got[i] = s.run(None, {"input": feeds[i]})[0]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)


def test_check_model_and_printable_graph():
    ort.check_model(TINY_CNN)
    with open(TINY_CNN, "rb") as f:
        ort.check_model(f.read())
    text = ort.printable_graph(TINY_CNN)
    assert "Conv" in text and "input" in text
    broken = model_bytes([helper.make_node("Relu", ["nowhere"], ["y"])], [],
                         [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])])
    with pytest.raises(ort.InvalidModel, match="nowhere"):
        ort.check_model(broken)
    assert onyx.__version__.count(".") == 2


def test_images_round_trip_through_png(tmp_path):
    rng = np.random.default_rng(7)
    rgb = rng.integers(0, 256, size=(5, 7, 3), dtype=np.uint8)
    path = str(tmp_path / "rgb.png")
    ort.write_png(path, rgb)
    assert np.array_equal(ort.read_image(path), rgb)
    # A (height, width) array is a gray picture; a strided view is written as it reads.
    gray = rgb[::2, ::-1, 1]
    ort.write_png(path, gray)
    back = ort.read_image(path)
    assert back.shape == (3, 7, 1) and np.array_equal(back[..., 0], gray)
    with pytest.raises(ort.InvalidInput, match="rank 3 with 4 channels"):
        ort.write_png(path, np.zeros((2, 2, 4), np.uint8))
    with pytest.raises(ort.InvalidInput, match="uint8, not float32"):
        ort.write_png(path, np.zeros((2, 2, 3), np.float32))
    not_an_image = tmp_path / "notes.png"
    not_an_image.write_bytes(b"plain text, not a picture")
    with pytest.raises(ort.InvalidInput, match="notes.png"):
        ort.read_image(str(not_an_image))
    with pytest.raises(ort.IoError):
        ort.read_image(str(tmp_path / "missing.png"))

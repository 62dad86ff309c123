"""The C API bound from Python with ctypes (examples/c_api_ctypes), checked against the
ONNX backend test data: how another language's binding of libonyx.so behaves."""
import os
import sys

import numpy as np
import pytest

from test_module import ROOT, backend_case

sys.path.insert(0, os.path.join(ROOT, "examples", "c_api_ctypes"))
import onyx_ctypes  # noqa: E402

LIBRARY = os.environ.get("ONYX_LIBRARY")
pytestmark = pytest.mark.skipif(not LIBRARY, reason="ONYX_LIBRARY (the path of libonyx.so) is not set")


@pytest.mark.parametrize("name", ["test_relu", "test_conv_with_strides_padding", "test_gather_0"])
def test_backend_models_through_the_c_api(name):
    path, inputs, want = backend_case(name)
    session = onyx_ctypes.Session(onyx_ctypes.Library(LIBRARY), path)
    assert [n for n, _, _ in session.inputs] == list(inputs)
    got = session.run(inputs)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.dtype == w.dtype and g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)


def test_errors_carry_the_kind_and_message():
    library = onyx_ctypes.Library(LIBRARY)
    with pytest.raises(onyx_ctypes.OnyxError, match="io error: .*absent.onnx"):
        onyx_ctypes.Session(library, "/nonexistent/absent.onnx")
    session = onyx_ctypes.Session(library, backend_case("test_relu")[0])
    with pytest.raises(onyx_ctypes.OnyxError, match="invalid input: .*'x'"):
        session.run({"x": np.zeros((2, 2), np.float32)})

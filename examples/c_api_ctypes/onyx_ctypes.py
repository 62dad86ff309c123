"""Onyx's C API (tools/c_api/include/onyx/onyx_c.h) bound from Python with ctypes alone: how another
language binds libonyx.so. (Python users want the `onyx` module; this shows the C API.)

    python3 onyx_ctypes.py path/to/libonyx.so MODEL.onnx
runs MODEL on zeros of its declared input shapes and prints each output's shape.
"""
import ctypes
import sys

import numpy as np

# OnyxElementType codes (ONNX's) and the numpy types they hold.
NUMPY_OF = {1: np.float32, 2: np.uint8, 3: np.int8, 4: np.uint16, 5: np.int16, 6: np.int32,
            7: np.int64, 9: np.bool_, 10: np.float16, 11: np.float64, 12: np.uint32, 13: np.uint64}
CODE_OF = {np.dtype(t): code for code, t in NUMPY_OF.items()}


class ValueInfo(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("is_tensor", ctypes.c_int), ("elem_type", ctypes.c_int32),
                ("rank", ctypes.c_int64), ("dims", ctypes.POINTER(ctypes.c_int64)),
                ("dim_names", ctypes.POINTER(ctypes.c_char_p))]


class OnyxError(RuntimeError):
    pass


class Library:
    def __init__(self, path):
        lib = ctypes.CDLL(path)
        p = ctypes.c_void_p
        lib.onyx_status_message.restype = ctypes.c_char_p
        lib.onyx_status_message.argtypes = [p]
        lib.onyx_status_free.argtypes = [p]
        lib.onyx_session_create.restype = p
        lib.onyx_session_create.argtypes = [ctypes.c_char_p, p, ctypes.POINTER(p)]
        lib.onyx_session_free.argtypes = [p]
        for f in (lib.onyx_session_input_count, lib.onyx_session_output_count):
            f.restype = ctypes.c_size_t
            f.argtypes = [p]
        for f in (lib.onyx_session_input_info, lib.onyx_session_output_info):
            f.restype = p
            f.argtypes = [p, ctypes.c_size_t, ctypes.POINTER(ValueInfo)]
        lib.onyx_tensor_create_view.restype = p
        lib.onyx_tensor_create_view.argtypes = [ctypes.c_int32, ctypes.POINTER(ctypes.c_int64), ctypes.c_size_t,
                                                p, ctypes.c_size_t, ctypes.POINTER(p)]
        lib.onyx_tensor_free.argtypes = [p]
        lib.onyx_tensor_elem_type.restype = ctypes.c_int32
        lib.onyx_tensor_elem_type.argtypes = [p]
        lib.onyx_tensor_rank.restype = ctypes.c_size_t
        lib.onyx_tensor_rank.argtypes = [p]
        lib.onyx_tensor_dims.restype = ctypes.POINTER(ctypes.c_int64)
        lib.onyx_tensor_dims.argtypes = [p]
        lib.onyx_tensor_byte_size.restype = ctypes.c_size_t
        lib.onyx_tensor_byte_size.argtypes = [p]
        lib.onyx_tensor_data.restype = p
        lib.onyx_tensor_data.argtypes = [p]
        lib.onyx_session_run.restype = p
        lib.onyx_session_run.argtypes = [p, ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(p), ctypes.c_size_t,
                                         ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(p), ctypes.c_size_t]
        self.lib = lib

    def check(self, status):
        """Raises the status's message; frees it."""
        if status:
            message = self.lib.onyx_status_message(status).decode()
            self.lib.onyx_status_free(status)
            raise OnyxError(message)


class Session:
    def __init__(self, library, model_path):
        self.library, lib = library, library.lib
        handle = ctypes.c_void_p()
        library.check(lib.onyx_session_create(model_path.encode(), None, ctypes.byref(handle)))
        self.handle = handle

        def describe(get, i):
            info = ValueInfo()
            library.check(get(self.handle, i, ctypes.byref(info)))
            dims = [info.dims[d] for d in range(info.rank)] if info.rank > 0 else []
            return info.name.decode(), info.elem_type, dims

        self.inputs = [describe(lib.onyx_session_input_info, i) for i in range(lib.onyx_session_input_count(handle))]
        self.outputs = [describe(lib.onyx_session_output_info, i)
                        for i in range(lib.onyx_session_output_count(handle))]

    def run(self, feeds):
        """feeds: {name: numpy array}; returns every output as a numpy array (copied)."""
        lib = self.library.lib
        arrays = {name: np.ascontiguousarray(a) for name, a in feeds.items()}
        tensors = []
        try:
            for a in arrays.values():
                t = ctypes.c_void_p()
                dims = (ctypes.c_int64 * a.ndim)(*a.shape)
                self.library.check(lib.onyx_tensor_create_view(CODE_OF[a.dtype], dims, a.ndim, a.ctypes.data,
                                                               a.nbytes, ctypes.byref(t)))
                tensors.append(t)
            names = (ctypes.c_char_p * len(arrays))(*[n.encode() for n in arrays])
            inputs = (ctypes.c_void_p * len(tensors))(*[t.value for t in tensors])
            outputs = (ctypes.c_void_p * len(self.outputs))()
            self.library.check(lib.onyx_session_run(self.handle, names, inputs, len(tensors), None, outputs,
                                                    len(self.outputs)))
            results = []
            for out in outputs:
                dtype = NUMPY_OF[lib.onyx_tensor_elem_type(out)]
                shape = [lib.onyx_tensor_dims(out)[d] for d in range(lib.onyx_tensor_rank(out))]
                size = lib.onyx_tensor_byte_size(out)
                data = ctypes.string_at(lib.onyx_tensor_data(out), size) if size else b""
                results.append(np.frombuffer(data, dtype=dtype).reshape(shape).copy())
                lib.onyx_tensor_free(out)
            return results
        finally:
            for t in tensors:
                lib.onyx_tensor_free(t)

    def __del__(self):
        if getattr(self, "handle", None):
            self.library.lib.onyx_session_free(self.handle)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: onyx_ctypes.py LIBONYX_SO MODEL")
    session = Session(Library(sys.argv[1]), sys.argv[2])
    feeds = {name: np.zeros([d if d >= 0 else 1 for d in dims], NUMPY_OF[code])
             for name, code, dims in session.inputs}
    for (name, _, _), value in zip(session.outputs, session.run(feeds)):
        print(name, value.shape)

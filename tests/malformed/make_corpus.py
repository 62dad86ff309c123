#!/usr/bin/python3
"""Writes the malformed-model corpus: small hostile models, each with the kind of error
Onyx must refuse it with and a phrase the message must contain.

Usage: make_corpus.py OUT_DIR

OUT_DIR gets one NAME.onnx per case (and the side files some cases point at) and
expected.tsv: NAME <tab> KIND <tab> PHRASE. tests/malformed/run.sh runs `onyx run
--random-inputs` on every model and checks each line. Everything is built here from
onnx.helper and raw protobuf fields: no binary of unknown origin.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

FLOAT, INT64 = TensorProto.FLOAT, TensorProto.INT64
MODEL = "invalid model"
INPUT = "invalid input"
UNSUPPORTED = "unsupported operator"
UNSUPPORTED_MODEL = "unsupported model"
LIMIT = "limit exceeded"
IO = "io error"

out_dir = sys.argv[1]
os.makedirs(out_dir, exist_ok=True)
expected = []


def vi(name, elem=FLOAT, shape=(2,)):
    return helper.make_tensor_value_info(name, elem, list(shape) if shape is not None else None)


def model(nodes, inputs, outputs, inits=(), opset=13, ir=8, functions=(), extra_opsets=()):
    g = helper.make_graph(nodes, "main", inputs, outputs, initializer=list(inits))
    imports = [helper.make_opsetid("", opset)] + [helper.make_opsetid(d, v) for d, v in extra_opsets]
    m = helper.make_model(g, opset_imports=imports, functions=list(functions))
    m.ir_version = ir
    return m


def add(name, kind, phrase, m=None, raw=None):
    """One case: a ModelProto `m` or raw bytes."""
    path = os.path.join(out_dir, name + ".onnx")
    with open(path, "wb") as f:
        f.write(raw if raw is not None else m.SerializeToString())
    expected.append((name, kind, phrase))


def bare_tensor(name, elem, dims):
    """A TensorProto with a name, type and dims and no data (helper.make_tensor checks)."""
    t = TensorProto(name=name, data_type=elem)
    t.dims.extend(dims)
    return t


def init(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def unary(op, x_shape=(2,), y_shape=(2,), **attrs):
    return model([helper.make_node(op, ["x"], ["y"], **attrs)], [vi("x", shape=x_shape)],
                 [vi("y", shape=y_shape)])


relu = unary("Relu")

# ---- bytes that are not a model ----
add("empty_file", MODEL, "empty", raw=b"")
good = relu.SerializeToString()
add("truncated", MODEL, "parse", raw=good[: len(good) // 2])
add("garbage", MODEL, "parse", raw=bytes(range(256)) * 4)
add("wrong_wire_type", MODEL, "parse", raw=b"\x0a\xff\xff\xff\xff\x0f")

# ---- the model header ----
m = unary("Relu"); m.ir_version = 0
add("ir_version_missing", MODEL, "ir_version", m)
m = unary("Relu"); m.ir_version = 99
add("ir_version_99", UNSUPPORTED_MODEL, "IR version 99", m)
m = model([helper.make_node("Relu", ["x"], ["y"])], [vi("x")], [vi("y")], opset=99)
add("opset_99", UNSUPPORTED, "opset 99", m)
m = unary("Relu"); m.opset_import.append(helper.make_opsetid("", 13))
add("opset_import_twice", MODEL, "twice", m)
m = unary("Relu"); m.opset_import[0].version = -3
add("opset_negative", MODEL, "version", m)

# ---- graph structure ----
add("undefined_input", MODEL, "nowhere",
    model([helper.make_node("Relu", ["nowhere"], ["y"])], [vi("x")], [vi("y")]))
add("output_not_produced", MODEL, "'z'",
    model([helper.make_node("Relu", ["x"], ["y"])], [vi("x")], [vi("z")]))
add("value_defined_twice", MODEL, "'y'",
    model([helper.make_node("Relu", ["x"], ["y"]), helper.make_node("Neg", ["x"], ["y"])],
          [vi("x")], [vi("y")]))
add("input_listed_twice", MODEL, "'x'",
    model([helper.make_node("Relu", ["x"], ["y"])], [vi("x"), vi("x")], [vi("y")]))
add("cycle", MODEL, "cycle",
    model([helper.make_node("Add", ["x", "b"], ["a"]), helper.make_node("Relu", ["a"], ["b"]),
           helper.make_node("Identity", ["a"], ["y"])], [vi("x")], [vi("y")]))
add("self_loop", MODEL, "cycle",
    model([helper.make_node("Add", ["x", "y"], ["y"])], [vi("x")], [vi("y")]))
m = unary("Relu"); m.graph.node[0].op_type = ""
add("empty_op_type", MODEL, "op_type", m)
add("input_without_type", MODEL, "no type",
    model([helper.make_node("Relu", ["x"], ["y"])], [helper.make_empty_tensor_value_info("x")],
          [vi("y")]))
add("input_elem_type_99", MODEL, "not an ONNX type",
    model([helper.make_node("Relu", ["x"], ["y"])], [vi("x", elem=99)], [vi("y")]))

# ---- operators Onyx has no kernel for ----
add("unknown_op", UNSUPPORTED, "Frobnicate", unary("Frobnicate"))
m = model([helper.make_node("Relu", ["x"], ["y"], domain="com.example")], [vi("x")], [vi("y")],
          extra_opsets=[("com.example", 1)])
add("unknown_domain", UNSUPPORTED, "com.example", m)
add("op_before_its_first_opset", UNSUPPORTED, "Gelu",
    model([helper.make_node("Gelu", ["x"], ["y"])], [vi("x")], [vi("y")], opset=13))
add("domain_not_imported", MODEL, "com.missing",
    model([helper.make_node("Relu", ["x"], ["y"], domain="com.missing")], [vi("x")], [vi("y")]))

# ---- initializers ----
def relu_of(t, ir=8):
    return model([helper.make_node("Add", ["x", t.name], ["y"])], [vi("x")], [vi("y")], [t],
                 ir=ir)

t = init("w", np.zeros(2, np.float32)); t.raw_data = b"\0" * 4
add("raw_data_short", MODEL, "raw_data", relu_of(t))
t = init("w", np.zeros(2, np.float32)); t.raw_data = b"\0" * 12
add("raw_data_long", MODEL, "raw_data", relu_of(t))
t = helper.make_tensor("w", FLOAT, [2], [1.0, 2.0]); t.float_data.append(3.0)
add("float_data_count", MODEL, "float_data", relu_of(t))
t = helper.make_tensor("w", FLOAT, [2], [1.0, 2.0]); t.dims[0] = -2
add("initializer_negative_dim", MODEL, "negative", relu_of(t))
t = bare_tensor("w", FLOAT, [1 << 40, 1 << 40])
add("initializer_dims_overflow", LIMIT, "int64", relu_of(t))
t = helper.make_tensor("w", FLOAT, [2], [1.0, 2.0]); t.data_type = 99
add("initializer_dtype_99", MODEL, "data type", relu_of(t))
t = helper.make_tensor("w", TensorProto.STRING, [1], [b"a"]); t.raw_data = b"a"
add("string_raw_data", MODEL, "raw_data", relu_of(t))
t = helper.make_tensor("w", TensorProto.INT8, [2], [1, 1000])
add("int32_data_outside_int8", MODEL, "1000",
    model([helper.make_node("Identity", ["w"], ["y"])], [], [vi("y", TensorProto.INT8)], [t]))
t = helper.make_tensor("w", FLOAT, [2], [1.0, 2.0]); t.segment.begin = 0; t.segment.end = 1
add("segmented_tensor", UNSUPPORTED_MODEL, "segment", relu_of(t))
sp = helper.make_sparse_tensor(helper.make_tensor("w", FLOAT, [1], [1.0]),
                               helper.make_tensor("w_i", INT64, [1], [5]), [2])
m = model([helper.make_node("Add", ["x", "w"], ["y"])], [vi("x")], [vi("y")])
m.graph.sparse_initializer.append(sp)
add("sparse_index_out_of_range", MODEL, "out of range", m)
sp = helper.make_sparse_tensor(helper.make_tensor("w", FLOAT, [2], [1.0, 2.0]),
                               helper.make_tensor("w_i", INT64, [2], [1, 0]), [2])
m = model([helper.make_node("Add", ["x", "w"], ["y"])], [vi("x")], [vi("y")])
m.graph.sparse_initializer.append(sp)
add("sparse_indices_unordered", MODEL, "increasing", m)

# ---- external data ----
with open(os.path.join(out_dir, "weights.bin"), "wb") as f:
    f.write(b"\0" * 8)


def external(name, location, offset=None, length=None):
    t = bare_tensor("w", FLOAT, [2])
    t.data_location = TensorProto.EXTERNAL
    for key, value in (("location", location), ("offset", offset), ("length", length)):
        if value is not None:
            t.external_data.append(onnx.StringStringEntryProto(key=key, value=str(value)))
    return relu_of(t)


add("external_absolute", MODEL, "absolute", external("w", "/etc/passwd"))
add("external_dotdot", MODEL, "..", external("w", "../weights.bin"))
add("external_missing_file", IO, "absent.bin", external("w", "absent.bin"))
add("external_offset_past_end", MODEL, "past the end", external("w", "weights.bin", offset=4))
add("external_length_mismatch", MODEL, "length", external("w", "weights.bin", length=4))
add("external_negative_offset", MODEL, "offset", external("w", "weights.bin", offset=-8))
add("external_no_location", MODEL, "location", external("w", None))
for link, target in (("link_outside.bin", "/etc/hostname"), ("link_device.bin", "/dev/zero")):
    path = os.path.join(out_dir, link)
    if os.path.lexists(path):
        os.remove(path)
    os.symlink(target, path)
add("external_symlink_outside", MODEL, "outside", external("w", "link_outside.bin"))
add("external_symlink_to_device", MODEL, "outside", external("w", "link_device.bin"))
for name in ("hardlink.bin", "elsewhere.bin"):
    if os.path.lexists(os.path.join(out_dir, name)):
        os.remove(os.path.join(out_dir, name))
with open(os.path.join(out_dir, "elsewhere.bin"), "wb") as f:
    f.write(b"\0" * 8)
os.link(os.path.join(out_dir, "elsewhere.bin"), os.path.join(out_dir, "hardlink.bin"))
add("external_hard_link", MODEL, "hard link", external("w", "hardlink.bin"))
fifo = os.path.join(out_dir, "fifo.bin")
if not os.path.exists(fifo):
    os.mkfifo(fifo)
add("external_fifo", MODEL, "regular file", external("w", "fifo.bin"))
os.makedirs(os.path.join(out_dir, "folder.bin"), exist_ok=True)
add("external_directory", MODEL, "regular file", external("w", "folder.bin"))

# ---- attributes that contradict the tensors ----
w = init("w", np.zeros((1, 1, 3, 3), np.float32))
def conv(**attrs):
    return model([helper.make_node("Conv", ["x", "w"], ["y"], **attrs)],
                 [vi("x", shape=(1, 1, 5, 5))], [vi("y", shape=None)], [w])
add("conv_kernel_shape_contradicts", MODEL, "kernel_shape", conv(kernel_shape=[2, 2]))
add("conv_pads_wrong_rank", MODEL, "pads", conv(pads=[1, 1]))
add("conv_negative_pads", MODEL, "pads", conv(pads=[-1, 0, 0, 0]))
add("conv_zero_stride", MODEL, "strides", conv(strides=[0, 1]))
add("conv_group_not_dividing", MODEL, "group", conv(group=3))
add("transpose_perm_repeats", MODEL, "perm",
    unary("Transpose", (2, 3), (3, 2), perm=[0, 0]))
add("transpose_perm_out_of_range", MODEL, "perm",
    unary("Transpose", (2, 3), (3, 2), perm=[0, 5]))
add("transpose_perm_wrong_length", MODEL, "perm",
    unary("Transpose", (2, 3), (3, 2), perm=[1, 0, 2]))
add("softmax_axis_out_of_range", MODEL, "axis", unary("Softmax", axis=4))
add("flatten_axis_out_of_range", MODEL, "axis", unary("Flatten", (2, 3), (2, 3), axis=7))
add("cast_without_to", MODEL, "'to'", unary("Cast"))
add("cast_to_type_99", MODEL, "99", unary("Cast", to=99))
m = unary("Relu"); m.graph.node[0].attribute.append(helper.make_attribute("alpha", 1.0))
m.graph.node[0].attribute.append(helper.make_attribute("alpha", 2.0))
add("attribute_twice", MODEL, "alpha", m)
add("leakyrelu_alpha_as_string", MODEL, "alpha", unary("LeakyRelu", alpha="high"))
add("depth_to_space_blocksize", MODEL, "divisible",
    unary("DepthToSpace", (1, 3, 2, 2), (1, 3, 2, 2), blocksize=2))
add("pad_mode_unknown", MODEL, "mode",
    model([helper.make_node("Pad", ["x", "p"], ["y"], mode="sideways")], [vi("x")], [vi("y")],
          [init("p", np.array([1, 1], np.int64))]))
add("einsum_bad_equation", MODEL, "equation",
    model([helper.make_node("Einsum", ["x"], ["y"], equation="i->j")], [vi("x")], [vi("y")],
          opset=13))
add("constant_two_values", MODEL, "Constant",
    model([helper.make_node("Constant", [], ["y"], value_float=1.0, value_int=2)], [],
          [vi("y", shape=())]))

# ---- shapes that cannot meet ----
add("matmul_inner_mismatch", MODEL, "MatMul",
    model([helper.make_node("MatMul", ["x", "w"], ["y"])], [vi("x", shape=(2, 3))],
          [vi("y", shape=None)], [init("w", np.zeros((4, 2), np.float32))]))
add("add_no_broadcast", MODEL, "broadcast",
    model([helper.make_node("Add", ["x", "w"], ["y"])], [vi("x", shape=(3,))],
          [vi("y", shape=None)], [init("w", np.zeros(4, np.float32))]))
add("reshape_wrong_count", MODEL, "Reshape",
    model([helper.make_node("Reshape", ["x", "s"], ["y"])], [vi("x", shape=(2, 3))],
          [vi("y", shape=None)], [init("s", np.array([4, 2], np.int64))]))
add("reshape_two_minus_ones", MODEL, "-1",
    model([helper.make_node("Reshape", ["x", "s"], ["y"])], [vi("x", shape=(2, 3))],
          [vi("y", shape=None)], [init("s", np.array([-1, -1], np.int64))]))
add("concat_rank_mismatch", MODEL, "Concat",
    model([helper.make_node("Concat", ["x", "w"], ["y"], axis=0)], [vi("x", shape=(2,))],
          [vi("y", shape=None)], [init("w", np.zeros((2, 2), np.float32))]))
add("split_sizes_wrong_sum", MODEL, "split",
    model([helper.make_node("Split", ["x", "s"], ["a", "b"], axis=0)], [vi("x", shape=(4,))],
          [vi("a", shape=None), vi("b", shape=None)], [init("s", np.array([1, 1], np.int64))]))
add("squeeze_axis_not_one", MODEL, "Squeeze",
    model([helper.make_node("Squeeze", ["x", "a"], ["y"])], [vi("x", shape=(2, 3))],
          [vi("y", shape=None)], [init("a", np.array([0], np.int64))]))
add("gemm_shapes_mismatch", MODEL, "Gemm",
    model([helper.make_node("Gemm", ["x", "w"], ["y"])], [vi("x", shape=(2, 3))],
          [vi("y", shape=None)], [init("w", np.zeros((2, 2), np.float32))]))
add("reduce_axis_out_of_range", MODEL, "axis",
    model([helper.make_node("ReduceSum", ["x", "a"], ["y"])], [vi("x", shape=(2, 3))],
          [vi("y", shape=None)], [init("a", np.array([5], np.int64))]))
add("slice_zero_step", MODEL, "step",
    model([helper.make_node("Slice", ["x", "s", "e", "a", "st"], ["y"])], [vi("x", shape=(4,))],
          [vi("y", shape=None)],
          [init("s", np.array([0], np.int64)), init("e", np.array([4], np.int64)),
           init("a", np.array([0], np.int64)), init("st", np.array([0], np.int64))]))
# Found only when the node runs (no shape rule checks it): a run-time failure.
add("batchnorm_scale_size", INPUT, "scale must hold 2 values",
    model([helper.make_node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y"])],
          [vi("x", shape=(1, 2, 2, 2))], [vi("y", shape=None)],
          [init("s", np.ones(3, np.float32)), init("b", np.zeros(2, np.float32)),
           init("m", np.zeros(2, np.float32)), init("v", np.ones(2, np.float32))]))

# ---- indices out of range in data ----
def indexed(op, data_shape, indices, extra_inputs=(), **attrs):
    names = ["x", "i"] + [t.name for t in extra_inputs]
    return model([helper.make_node(op, names, ["y"], **attrs)], [vi("x", shape=data_shape)],
                 [vi("y", shape=None)], [init("i", np.array(indices, np.int64))] +
                 list(extra_inputs))

# Constant indices are checked when shapes are inferred at load.
add("gather_index_out_of_range", MODEL, "index 7", indexed("Gather", (3,), [7]))
add("gather_negative_index", MODEL, "index -4", indexed("Gather", (3,), [-4]))
add("gather_elements_out_of_range", INPUT, "GatherElements",
    indexed("GatherElements", (3,), [0, 9]))
add("gathernd_out_of_range", INPUT, "GatherND", indexed("GatherND", (2, 2), [[0, 5]]))
add("scatter_elements_out_of_range", INPUT, "ScatterElements",
    indexed("ScatterElements", (3,), [9], [init("u", np.ones(1, np.float32))]))
add("scatternd_out_of_range", INPUT, "ScatterND",
    indexed("ScatterND", (3,), [[9]], [init("u", np.ones(1, np.float32))]))
add("onehot_values_wrong_size", INPUT, "OneHot",
    model([helper.make_node("OneHot", ["i", "d", "v"], ["y"])], [vi("i", INT64, (2,))],
          [vi("y", shape=None)],
          [init("d", np.array([3], np.int64)), init("v", np.array([0, 1, 2], np.float32))]))

# ---- sizes that come from data: refused before allocating ----
def sized(op, inputs, inits, elem=FLOAT, **attrs):
    return model([helper.make_node(op, inputs, ["y"], **attrs)],
                 [vi("x", shape=(2,))] if "x" in inputs else [], [vi("y", elem, None)], inits)

big = 1 << 31
add("constant_of_shape_huge", LIMIT, "ConstantOfShape",
    sized("ConstantOfShape", ["s"], [init("s", np.array([big, big], np.int64))]))
add("expand_huge", LIMIT, "Expand",
    sized("Expand", ["x", "s"], [init("s", np.array([big, big, 2], np.int64))]))
add("tile_huge", LIMIT, "Tile", sized("Tile", ["x", "r"], [init("r", np.array([1 << 62], np.int64))]))
add("range_huge", LIMIT, "Range",
    sized("Range", ["a", "b", "d"], [init("a", np.array(0, np.int64)),
                                     init("b", np.array(1 << 62, np.int64)),
                                     init("d", np.array(1, np.int64))], INT64))
add("pad_huge", LIMIT, "Pad",
    sized("Pad", ["x", "p"], [init("p", np.array([0, 1 << 61], np.int64))]))
add("resize_huge", LIMIT, "Resize",
    model([helper.make_node("Resize", ["x", "", "sc"], ["y"])], [vi("x", shape=(1, 1, 2, 2))],
          [vi("y", shape=None)], [init("sc", np.array([1, 1, 1e9, 1e9], np.float32))]))

# ---- nesting ----
def nested_if(depth):
    def leaf(out):
        return helper.make_graph([helper.make_node("Identity", ["x"], [out])], "leaf", [],
                                 [vi(out)])
    inner = leaf("r0")
    for d in range(depth):  # the else branches stay leaves, or the file doubles per level
        node = helper.make_node("If", ["c"], [f"r{d + 1}"], then_branch=inner,
                                else_branch=leaf(f"e{d + 1}"))
        inner = helper.make_graph([node], f"level{d}", [], [vi(f"r{d + 1}")])
    top = inner.node[0]
    top.output[0] = "y"
    return model([top], [vi("x"), vi("c", TensorProto.BOOL, ())], [vi("y")])

add("if_nested_too_deep", LIMIT, "deep", nested_if(40))
m = nested_if(1); del m.graph.node[0].attribute[1]
add("if_without_a_branch", MODEL, "branch", m)
recursive = helper.make_function("local", "f", ["a"], ["b"],
                                 [helper.make_node("f", ["a"], ["b"], domain="local")],
                                 [helper.make_opsetid("", 13), helper.make_opsetid("local", 1)])
add("function_calls_itself", MODEL, "calls itself",
    model([helper.make_node("f", ["x"], ["y"], domain="local")], [vi("x")], [vi("y")],
          functions=[recursive], extra_opsets=[("local", 1)]))
body = helper.make_graph([helper.make_node("Identity", ["c_in"], ["c_out"])], "body",
                         [vi("i", INT64, ()), vi("c_in", TensorProto.BOOL, ())],
                         [vi("c_out", TensorProto.BOOL, ()), vi("extra")])
add("loop_body_outputs_mismatch", MODEL, "Loop",
    model([helper.make_node("Loop", ["n", ""], ["y"], body=body)], [vi("n", INT64, ())],
          [vi("y", shape=None)]))

with open(os.path.join(out_dir, "expected.tsv"), "w") as f:
    for name, kind, phrase in expected:
        f.write(f"{name}\t{kind}\t{phrase}\n")
print(f"make_corpus: {len(expected)} models in {out_dir}")

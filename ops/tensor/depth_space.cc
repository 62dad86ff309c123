// DepthToSpace and SpaceToDepth: move [blocksize, blocksize] blocks between the channel
// dim and the spatial dims of an [N, C, H, W] tensor.
//
// DepthToSpace gives [N, C / b^2, H * b, W * b]. In DCR mode (the default; the only one
// before opset 11) channel (i * b + j) * C' + c of the input lands at block offset (i, j)
// of output channel c; in CRD mode it is channel c * b^2 + i * b + j. SpaceToDepth is
// the inverse, [N, C * b^2, H / b, W / b]: of DCR, and from opset 28 (its `mode`) of
// either. Opset 28 also makes DepthToSpace a new version, with the same meaning.
//
// Each is a transpose of a 6-D view, which the fast path hands to kernels::permute:
//   DCR              [N, b, b, C', H, W]    perm (0, 3, 4, 1, 5, 2)  ->  [N, C', H, b, W, b]
//   CRD              [N, C', b, b, H, W]    perm (0, 1, 4, 2, 5, 3)  ->  [N, C', H, b, W, b]
//   SpaceToDepth     [N, C, H', b, W', b]   perm (0, 3, 5, 1, 2, 4)  ->  [N, b, b, C, H', W']
//   SpaceToDepth CRD [N, C, H', b, W', b]   perm (0, 1, 3, 5, 2, 4)  ->  [N, C, b, b, H', W']
#include "common/parallel.h"
#include "common/shape_utils.h"
#include "kernels/layout/permute.h"
#include "onyx/kernel.h"
#include "tensor/movement.h"
#include "tensor/tensor_ops.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> depth_to_space_versions() {
  return {{1, 10, all_dtypes(), {{"blocksize", AttrType::Int}}},
          {11, 12, all_dtypes(), {{"blocksize", AttrType::Int}, {"mode", AttrType::String}}},
          {13, 27, all_dtypes_13(), {{"blocksize", AttrType::Int}, {"mode", AttrType::String}}},
          {28,
           kOpsetOpen,
           all_dtypes_13(),
           {{"blocksize", AttrType::Int}, {"mode", AttrType::String}}}};
}

std::vector<OpVersion> space_to_depth_versions() {
  return {{1, 12, all_dtypes(), {{"blocksize", AttrType::Int}}},
          {13, 27, all_dtypes_13(), {{"blocksize", AttrType::Int}}},
          {28,
           kOpsetOpen,
           all_dtypes_13(),
           {{"blocksize", AttrType::Int}, {"mode", AttrType::String}}}};  // 28 adds mode
}

// ---- 2. attributes ----

struct BlockParams {
  int64_t blocksize = 0;
  bool to_space = true;  // DepthToSpace, else SpaceToDepth
  bool crd = false;      // CRD mode (DepthToSpace from 11, SpaceToDepth from 28)

  template <class Ctx>
  static BlockParams read(const Node& node, const Attrs& attrs, int opset, Ctx& ctx) {
    BlockParams p;
    p.to_space = node.op_type == "DepthToSpace";
    if (!attrs.has("blocksize")) ctx.fail("attribute 'blocksize' is required");
    p.blocksize = attrs.get_int("blocksize", 0);
    if (p.blocksize < 1) ctx.fail(cat("blocksize must be positive, got ", p.blocksize));
    const int mode_since = p.to_space ? 11 : 28;
    if (opset < mode_since && attrs.has("mode"))
      ctx.fail(cat("attribute 'mode' needs opset ", mode_since, " or later"));
    const std::string mode = attrs.get_string("mode", "DCR");
    if (mode != "DCR" && mode != "CRD") ctx.fail(cat("mode must be DCR or CRD, got '", mode, "'"));
    p.crd = mode == "CRD";
    return p;
  }

  // The output dims of an [N, C, H, W] input; fails when C, H or W do not divide.
  template <class D, class Ctx>
  std::vector<D> output_dims(const std::vector<D>& in, Ctx& ctx) const {
    if (in.size() != 4) ctx.fail(cat("the input must have rank 4 [N, C, H, W], got ", in.size()));
    int64_t b = blocksize, bb = checked_mul(b, b);
    auto div = [&](const D& d, int64_t by, const char* what) {
      if (!is_known(d)) return D{};
      if (value_of(d) % by != 0) ctx.fail(cat(what, " ", value_of(d), " is not divisible by ", by));
      return with_value(d, value_of(d) / by);
    };
    auto mul = [&](const D& d, int64_t by) {
      return is_known(d) ? with_value(d, checked_mul(value_of(d), by)) : D{};
    };
    if (to_space) return {in[0], div(in[1], bb, "channels"), mul(in[2], b), mul(in[3], b)};
    return {in[0], mul(in[1], bb), div(in[2], b, "height"), div(in[3], b, "width")};
  }

  // Concrete (int64_t) and symbolic (Dim) dims alike.
  static bool is_known(int64_t) { return true; }
  static bool is_known(const Dim& d) { return d.is_known(); }
  static int64_t value_of(int64_t d) { return d; }
  static int64_t value_of(const Dim& d) { return d.value; }
  static int64_t with_value(int64_t, int64_t v) { return v; }
  static Dim with_value(const Dim&, int64_t v) { return Dim::known(v); }
};

// ---- 3. shape rule ----

void infer_depth_space(InferContext& ctx) {
  BlockParams p = BlockParams::read(ctx.node(), Attrs(ctx.node(), ctx.label()), ctx.opset(), ctx);
  const TypeInfo& in = ctx.input(0);
  TypeInfo out = TypeInfo::tensor(in.elem);
  if (in.shape) out.shape = p.output_dims(*in.shape, ctx);
  ctx.set_output(0, out);
}

// ---- 4. compute ----

class DepthSpaceKernel final : public Kernel {
 public:
  explicit DepthSpaceKernel(const KernelInit& init)
      : p_(BlockParams::read(init.node(), init.attrs(), init.opset(), init)),
        fast_(!init.reference()) {}

  // Walks the space-side tensor [N, C', H', W'] (the output of DepthToSpace, the input of
  // SpaceToDepth) and pairs each element with its depth-side position.
  void run(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    const Shape out_shape = p_.output_dims(in.shape(), ctx);
    // Whole bytes per element (not strings, not packed 4-bit types).
    const int bytes = in.dtype() == DType::String ? 0 : dtype_info(in.dtype()).bits / 8;
    if (fast_ && kernels::permute_serves(bytes)) {
      Tensor& out = ctx.allocate_uninitialized_output(0, in.dtype(), out_shape);
      const auto [view, perm] = six_d_view(in.shape());
      return kernels::permute(in.raw(), out.raw(), bytes, view, perm, parallel_of(ctx.pool()));
    }
    Tensor& out = ctx.allocate_output(0, in.dtype(), out_shape);
    const Shape& space = p_.to_space ? out.shape() : in.shape();
    const Shape& depth = p_.to_space ? in.shape() : out.shape();
    int64_t b = p_.blocksize;
    int64_t channels = space[1], height = depth[2], width = depth[3];
    dispatch_by_size(in.dtype(), "DepthToSpace", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* src = static_cast<const T*>(in.raw());
      T* dst = static_cast<T*>(out.raw());
      int64_t s = 0;  // flat position on the space side
      for (int64_t n = 0; n < space[0]; ++n)
        for (int64_t c = 0; c < channels; ++c)
          for (int64_t y = 0; y < height * b; ++y)
            for (int64_t x = 0; x < width * b; ++x, ++s) {
              int64_t i = y % b, j = x % b;
              int64_t dc = p_.crd ? (c * b + i) * b + j : (i * b + j) * channels + c;
              int64_t d = ((n * depth[1] + dc) * height + y / b) * width + x / b;
              if (p_.to_space) {
                dst[s] = src[d];
              } else {
                dst[d] = src[s];
              }
            }
    });
  }

 private:
  // The 6-D view of the input and the permutation that makes it the output (above).
  std::pair<Shape, std::vector<int64_t>> six_d_view(const Shape& in) const {
    const int64_t b = p_.blocksize, n = in[0], c = in[1], h = in[2], w = in[3];
    if (!p_.to_space) {
      if (p_.crd) return {{n, c, h / b, b, w / b, b}, {0, 1, 3, 5, 2, 4}};
      return {{n, c, h / b, b, w / b, b}, {0, 3, 5, 1, 2, 4}};
    }
    const int64_t c_out = c / (b * b);
    if (p_.crd) return {{n, c_out, b, b, h, w}, {0, 1, 4, 2, 5, 3}};
    return {{n, b, b, c_out, h, w}, {0, 3, 4, 1, 5, 2}};
  }

  BlockParams p_;
  bool fast_;
};

}  // namespace

void register_depth_space(Registry& registry) {
  add_op_versions(registry, "DepthToSpace", depth_to_space_versions(),
                  make_kernel<DepthSpaceKernel>(), infer_depth_space);
  add_op_versions(registry, "SpaceToDepth", space_to_depth_versions(),
                  make_kernel<DepthSpaceKernel>(), infer_depth_space);
}

}  // namespace onyx

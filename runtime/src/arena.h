// One run's planned memory (MemoryPlan's arena): a buffer of plan.arena_bytes, and per
// block a holder that every tensor placed in the block shares. The holders let the
// arena see when a block is still held by something the plan did not foresee (a view a
// kernel made of its own accord, a sequence that kept a tensor): the value that would
// reuse those bytes then goes to the heap instead, so the plan is never trusted blindly.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "onyx/planner.h"
#include "onyx/runtime_value.h"

namespace onyx {

class Arena {
 public:
  explicit Arena(std::shared_ptr<const MemoryPlan> plan);
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // Value `id` in its planned block, when it has one that fits and no one else holds
  // those bytes; else an undefined tensor. `slots` are the run's values, whose holds on
  // the block are the foreseen ones.
  Tensor place(int id, DType dtype, const Shape& shape, bool zero_fill,
               const std::vector<RuntimeValue>& slots);
  // Whether `t`'s bytes lie in this arena.
  bool holds(const Tensor& t) const;
  // Whether a tensor of `value` (a sequence's items too) lies in this arena.
  bool holds_any(const RuntimeValue& value) const;
  // Whether no value holds any block: then the next run may use the arena.
  bool idle() const;

 private:
  std::shared_ptr<const MemoryPlan> plan_;
  std::shared_ptr<char> buffer_;
  std::vector<std::shared_ptr<void>> holders_;  // per block; each keeps buffer_ alive
};

// A session's arenas: per plan, those no run is using. A model whose declared inputs
// fix every shape has one plan; one that leaves dims open gets a plan per distinct set
// of input shapes, made when first seen (a bounded number of them: past that, runs
// with new shapes use the heap).
class ArenaPool {
 public:
  // Plans the arena for inputs of these shapes; nullopt when it cannot.
  using Planner = std::function<std::optional<MemoryPlan>(const std::vector<Shape>&)>;
  static constexpr size_t kMaxPlans = 16;

  // `static_plan`: the plan for every run, or null to plan per set of input shapes.
  ArenaPool(std::shared_ptr<const MemoryPlan> static_plan, Planner planner);

  // Holds one run's arena and gives it back when the lease ends.
  class Lease {
   public:
    Lease() = default;
    Lease(ArenaPool* pool, std::shared_ptr<const MemoryPlan> plan, std::unique_ptr<Arena> arena)
        : pool_(pool), plan_(std::move(plan)), arena_(std::move(arena)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&& other) noexcept;
    ~Lease();
    Arena* get() const { return arena_.get(); }

   private:
    void release();
    ArenaPool* pool_ = nullptr;
    std::shared_ptr<const MemoryPlan> plan_;
    std::unique_ptr<Arena> arena_;
  };

  // Whether plans depend on the input shapes (else lease and plan ignore them).
  bool per_shape() const { return per_shape_; }
  // An arena for a run whose tensor inputs have these shapes (ignored with a static
  // plan); the lease is empty when there is no plan for them.
  Lease lease(const std::vector<Shape>& input_shapes);
  // The plan such a run uses, or null.
  std::shared_ptr<const MemoryPlan> plan(const std::vector<Shape>& input_shapes);

 private:
  struct Entry {
    std::shared_ptr<const MemoryPlan> plan;
    std::vector<std::unique_ptr<Arena>> idle;
  };
  Entry* entry(const std::vector<Shape>& input_shapes);  // with mutex_ held
  void give_back(const std::shared_ptr<const MemoryPlan>& plan, std::unique_ptr<Arena> arena);

  Planner planner_;
  bool per_shape_ = false;
  std::mutex mutex_;
  std::map<std::vector<Shape>, Entry> entries_;  // the static plan is under the empty key
};

}  // namespace onyx

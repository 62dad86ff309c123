#include "arena.h"

#include <cstring>

#include "kernels/bulk_memory.h"

namespace onyx {

Arena::Arena(std::shared_ptr<const MemoryPlan> plan) : plan_(std::move(plan)) {
  const size_t bytes = static_cast<size_t>(std::max<int64_t>(plan_->arena_bytes, 64));
  buffer_ = std::shared_ptr<char>(static_cast<char*>(kernels::bulk_allocate(bytes)),
                                  [bytes](char* p) { kernels::bulk_free(p, bytes); });
  holders_.reserve(plan_->blocks.size());
  for (size_t b = 0; b < plan_->blocks.size(); ++b)
    holders_.push_back(std::make_shared<std::shared_ptr<char>>(buffer_));
}

Tensor Arena::place(int id, DType dtype, const Shape& shape, bool zero_fill,
                    const std::vector<RuntimeValue>& slots) {
  if (id < 0 || id >= static_cast<int>(plan_->block_of.size())) return Tensor();
  const int b = plan_->block_of[static_cast<size_t>(id)];
  if (b < 0 || dtype == DType::String) return Tensor();
  const int64_t numel = checked_numel(shape);
  const auto bytes = static_cast<int64_t>(dtype_storage_bytes(dtype, numel));
  if (bytes > plan_->placeable_bytes[static_cast<size_t>(id)]) return Tensor();
  const MemoryPlan::Block& block = plan_->blocks[static_cast<size_t>(b)];
  for (int e : block.earlier_overlaps)
    if (holders_[static_cast<size_t>(e)].use_count() > 1) return Tensor();
  // Its own block may be held only by the run's values that are its members (the input
  // this value is written over, and views of it).
  char* begin = buffer_.get() + block.offset;
  long foreseen = 1;
  for (int m : block.members) {
    const RuntimeValue& held = slots[static_cast<size_t>(m)];
    if (held.is_tensor() && held.tensor().raw() >= begin &&
        held.tensor().raw() < begin + block.bytes)
      ++foreseen;
  }
  const std::shared_ptr<void>& holder = holders_[static_cast<size_t>(b)];
  if (holder.use_count() != foreseen) return Tensor();
  // Zeroing bytes that an input still holds would wipe that input before it is read.
  if (zero_fill && foreseen > 1) return Tensor();
  if (zero_fill) std::memset(begin, 0, static_cast<size_t>(bytes));
  return Tensor::share(dtype, shape, std::shared_ptr<void>(holder, begin), begin);
}

bool Arena::holds(const Tensor& t) const {
  const char* p = static_cast<const char*>(t.raw());
  return p && p >= buffer_.get() && p < buffer_.get() + plan_->arena_bytes;
}

bool Arena::holds_any(const RuntimeValue& value) const {
  if (value.is_tensor()) return holds(value.tensor());
  if (value.is_sequence())
    for (const Tensor& item : value.sequence().tensors)
      if (holds(item)) return true;
  return false;
}

bool Arena::idle() const {
  for (const auto& holder : holders_)
    if (holder.use_count() > 1) return false;
  return true;
}

ArenaPool::ArenaPool(std::shared_ptr<const MemoryPlan> static_plan, Planner planner)
    : planner_(std::move(planner)), per_shape_(!static_plan) {
  if (static_plan) entries_[{}].plan = std::move(static_plan);
}

ArenaPool::Entry* ArenaPool::entry(const std::vector<Shape>& input_shapes) {
  auto found = entries_.find(per_shape_ ? input_shapes : std::vector<Shape>{});
  return found == entries_.end() ? nullptr : &found->second;
}

std::shared_ptr<const MemoryPlan> ArenaPool::plan(const std::vector<Shape>& input_shapes) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (Entry* e = entry(input_shapes)) return e->plan;
    if (!per_shape_ || !planner_ || entries_.size() >= kMaxPlans) return nullptr;
  }
  // Planning reruns shape inference: done outside the lock. Two runs that race here
  // make the same plan, and the first one kept wins.
  std::optional<MemoryPlan> made = planner_(input_shapes);
  std::lock_guard<std::mutex> lock(mutex_);
  if (Entry* e = entry(input_shapes)) return e->plan;
  if (!made || entries_.size() >= kMaxPlans) return nullptr;
  Entry& e = entries_[input_shapes];
  e.plan = std::make_shared<const MemoryPlan>(std::move(*made));
  return e.plan;
}

ArenaPool::Lease ArenaPool::lease(const std::vector<Shape>& input_shapes) {
  std::shared_ptr<const MemoryPlan> chosen;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (Entry* e = entry(input_shapes)) {
      if (!e->idle.empty()) {  // the steady state: one lookup, no allocation
        std::unique_ptr<Arena> arena = std::move(e->idle.back());
        e->idle.pop_back();
        return Lease(this, e->plan, std::move(arena));
      }
      chosen = e->plan;
    }
  }
  if (!chosen) chosen = plan(input_shapes);  // shapes not seen before
  if (!chosen || chosen->blocks.empty()) return Lease();
  return Lease(this, chosen, std::make_unique<Arena>(chosen));
}

// An arena still held by some value (one that escaped the run's checks) is not reused:
// it is dropped, and its memory lives on with that value.
void ArenaPool::give_back(const std::shared_ptr<const MemoryPlan>& plan,
                          std::unique_ptr<Arena> arena) {
  if (!arena || !arena->idle()) return;
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& [key, e] : entries_)
    if (e.plan == plan) return e.idle.push_back(std::move(arena));
}

ArenaPool::Lease& ArenaPool::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    release();
    pool_ = other.pool_;
    plan_ = std::move(other.plan_);
    arena_ = std::move(other.arena_);
    other.pool_ = nullptr;
  }
  return *this;
}

ArenaPool::Lease::~Lease() { release(); }

void ArenaPool::Lease::release() {
  if (pool_ && arena_) pool_->give_back(plan_, std::move(arena_));
  arena_.reset();
}

}  // namespace onyx

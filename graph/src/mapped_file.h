// Files mapped into memory, and tensors that point into them instead of holding a
// copy. Internal to graph/: the model loader and external data use it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "onyx/tensor.h"

namespace onyx::detail {

// A private, copy-on-write mapping of a whole file. Copies share it; it is
// unmapped when the last copy (and the last tensor pointing into it) goes.
struct MappedFile {
  std::shared_ptr<char> holder;  // null for an empty file or bytes held elsewhere
  char* data = nullptr;
  size_t size = 0;
  int fd = -1;  // the file, open as long as the mapping (-1 when not a file)
};

// Maps the regular file at `path`, refusing one larger than `max_bytes`. Errors read
// "<prefix>cannot open <label>: <reason>" and the like.
MappedFile map_file(const std::string& path, int64_t max_bytes, const std::string& prefix,
                    const std::string& label);

// Gives back the resident pages wholly inside [data, data + bytes) of a mapping;
// touching them again reads them back from the file.
void release_pages(const void* data, size_t bytes);

// A tensor of the `bytes` bytes at `data`. Points into `file` without copying when
// `file` holds a mapping and `data` is aligned for the element type, and gives the
// pages back when the last copy of the tensor goes; copies otherwise (bool always:
// its bytes are normalised to 0 and 1, which would dirty the mapping).
Tensor tensor_from_bytes(const MappedFile& file, DType dtype, Shape shape, const char* data,
                         size_t bytes);

}  // namespace onyx::detail

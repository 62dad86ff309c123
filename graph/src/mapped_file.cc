#include "mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "onyx/error.h"

namespace onyx::detail {
namespace {

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

size_t page_size() {
  static const size_t size = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  return size;
}

}  // namespace

MappedFile map_file(const std::string& path, int64_t max_bytes, const std::string& prefix,
                    const std::string& label) {
  // Non-blocking, so a FIFO planted where a file should be cannot hang the load.
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) fail(prefix, "cannot open ", label, ": ", std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) fail(prefix, "cannot stat ", label, ": ", std::strerror(errno));
  if (!S_ISREG(st.st_mode)) fail(prefix, label, " is not a regular file");
  if (st.st_size > max_bytes)
    fail(prefix, label, " has ", st.st_size, " bytes, more than the limit of ", max_bytes);

  MappedFile file;
  file.size = static_cast<size_t>(st.st_size);
  if (file.size == 0) return file;
  // Private and writable: pages are copied only if someone writes to a tensor.
  void* p = ::mmap(nullptr, file.size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd.get(), 0);
  if (p == MAP_FAILED) fail(prefix, "cannot map ", label, ": ", std::strerror(errno));
  size_t size = file.size;
  file.data = static_cast<char*>(p);
  file.holder = std::shared_ptr<char>(file.data, [size](char* q) { ::munmap(q, size); });
  return file;
}

void release_pages(const void* data, size_t bytes) {
  const size_t page = page_size();
  uintptr_t begin = (reinterpret_cast<uintptr_t>(data) + page - 1) / page * page;
  uintptr_t end = (reinterpret_cast<uintptr_t>(data) + bytes) / page * page;
  if (end > begin)
    ::madvise(reinterpret_cast<void*>(begin), static_cast<size_t>(end - begin), MADV_DONTNEED);
}

Tensor tensor_from_bytes(const MappedFile& file, DType dtype, Shape shape, const char* data,
                         size_t bytes) {
  if (bytes == 0) return Tensor(dtype, std::move(shape));
  const size_t align = std::max<size_t>(1, static_cast<size_t>(dtype_info(dtype).bits / 8));
  if (file.holder && dtype != DType::Bool && reinterpret_cast<uintptr_t>(data) % align == 0) {
    char* p = const_cast<char*>(data);  // a private mapping: writes stay in this process
    std::shared_ptr<char> mapping = file.holder;
    std::shared_ptr<void> holder(
        p, [mapping = std::move(mapping), bytes](void* q) { release_pages(q, bytes); });
    return Tensor::share(dtype, std::move(shape), std::move(holder), p);
  }
  Tensor t = Tensor::uninitialized(dtype, std::move(shape));
  std::memcpy(t.raw(), data, bytes);
  if (dtype == DType::Bool) {  // any non-zero byte is true; a bool must hold exactly 0 or 1
    auto* b = static_cast<unsigned char*>(t.raw());
    for (size_t i = 0; i < bytes; ++i) b[i] = b[i] != 0;
  }
  return t;
}

}  // namespace onyx::detail

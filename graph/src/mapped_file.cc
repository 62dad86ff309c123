#include "mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#include "kernels/bulk_memory.h"
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

// Storage for a weight copied at load: a weight block (kernels/bulk_memory.h), from a
// huge-page slab when small, which goes back to the system once the kernels that pack
// its weights have freed them.
std::shared_ptr<void> weight_storage(size_t bytes) {
  try {
    void* p = kernels::weight_allocate(bytes);
    return std::shared_ptr<void>(p, [bytes](void* q) { kernels::weight_free(q, bytes); });
  } catch (const std::bad_alloc&) {
    fail("out of memory copying a ", bytes, "-byte weight");
  }
}

// Copies mapped bytes by reading the file: the page cache's pages are copied
// without being mapped into (and counted against) this process. False when the
// bytes are not in a mapped file or the read falls short.
bool read_from_file(const MappedFile& file, const char* data, size_t bytes, unsigned char* out) {
  if (!file.holder || file.fd < 0) return false;
  off_t offset = static_cast<off_t>(data - file.data);
  for (size_t done = 0; done < bytes;) {
    const ssize_t n = ::pread(file.fd, out + done, bytes - done, offset + static_cast<off_t>(done));
    if (n <= 0) return false;  // the caller copies through the mapping instead
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

MappedFile map_file(const std::string& path, int64_t max_bytes, const std::string& prefix,
                    const std::string& label) {
  // Non-blocking, so a FIFO planted where a file should be cannot hang the load.
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0)
    fail_as(ErrorKind::io_error, prefix, "cannot open ", label, ": ", std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    fail_as(ErrorKind::io_error, prefix, "cannot stat ", label, ": ", std::strerror(errno));
  if (!S_ISREG(st.st_mode)) fail(prefix, label, " is not a regular file");
  if (st.st_size > max_bytes)
    fail_as(ErrorKind::limit_exceeded, prefix, label, " has ", st.st_size,
            " bytes, more than the limit of ", max_bytes);

  MappedFile file;
  file.size = static_cast<size_t>(st.st_size);
  if (file.size == 0) return file;
  // Kept open while mapped: copies read through it, not through the mapping's pages.
  const int kept_fd = ::dup(fd.get());
  // Private and writable: pages are copied only if someone writes to a tensor.
  void* p = ::mmap(nullptr, file.size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd.get(), 0);
  if (p == MAP_FAILED) {
    const int error = errno;
    if (kept_fd >= 0) ::close(kept_fd);
    fail(prefix, "cannot map ", label, ": ", std::strerror(error));
  }
  size_t size = file.size;
  file.data = static_cast<char*>(p);
  file.fd = kept_fd;
  file.holder = std::shared_ptr<char>(file.data, [size, kept_fd](char* q) {
    ::munmap(q, size);
    if (kept_fd >= 0) ::close(kept_fd);
  });
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
  std::shared_ptr<void> storage = weight_storage(bytes);
  auto* copy = static_cast<unsigned char*>(storage.get());
  if (!read_from_file(file, data, bytes, copy)) std::memcpy(copy, data, bytes);
  if (dtype == DType::Bool)  // any non-zero byte is true; a bool must hold exactly 0 or 1
    for (size_t i = 0; i < bytes; ++i) copy[i] = copy[i] != 0;
  return Tensor::share(dtype, std::move(shape), std::move(storage), copy);
}

}  // namespace onyx::detail

// One exception type for every failure a user can cause: bad model, bad input,
// unsupported operator. Messages are one line and name what went wrong.
//
// Each error has a kind, shown as a stable prefix of its message ("invalid model: ...")
// so that callers and scripts can tell the failures apart. Code deep inside the
// runtime often cannot know the kind (a broadcast helper fails the same way for a bad
// model and a bad input): it throws an error of no kind, and the public entry point
// that catches it gives it the kind that entry point stands for (loading: invalid
// model; Session::run: invalid input) with classify_errors().
#pragma once

#include <new>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace onyx {

enum class ErrorKind {
  unclassified,          // not yet known; the entry point that catches it decides
  invalid_model,         // the file or graph breaks the ONNX spec or contradicts itself
  unsupported_operator,  // valid ONNX that Onyx has no kernel for (op, domain, opset, dtype)
  unsupported_model,     // valid ONNX that Onyx cannot take otherwise (IR version, segments)
  invalid_input,         // the caller's inputs, or the values they make flow at run time
  limit_exceeded,        // a size, depth, count or memory limit, refused before the work
  io_error,              // a file that cannot be opened, read or written
  internal_error,        // a broken invariant of Onyx itself
};

// The message prefix of a kind, without the colon ("invalid model"); empty for
// unclassified.
const char* error_kind_name(ErrorKind kind);

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& detail) : Error(ErrorKind::unclassified, detail) {}
  Error(ErrorKind kind, const std::string& detail)
      : std::runtime_error(with_prefix(kind, detail)), kind_(kind), detail_(detail) {}

  ErrorKind kind() const { return kind_; }
  // The message without its kind's prefix.
  const std::string& detail() const { return detail_; }
  // The same error with `context` put in front of its detail ("node 'x' (Add): ...").
  Error with_context(const std::string& context) const { return Error(kind_, context + detail_); }
  // The same error, given `kind` if it has none yet.
  Error classified(ErrorKind kind) const {
    return Error(kind_ == ErrorKind::unclassified ? kind : kind_, detail_);
  }

 private:
  static std::string with_prefix(ErrorKind kind, const std::string& detail) {
    if (kind == ErrorKind::unclassified) return detail;
    return std::string(error_kind_name(kind)) + ": " + detail;
  }
  ErrorKind kind_;
  std::string detail_;
};

// Builds a message from streamable parts: fail("axis ", axis, " out of range").
template <class... Parts>
[[noreturn]] void fail_as(ErrorKind kind, Parts&&... parts) {
  std::ostringstream out;
  (out << ... << std::forward<Parts>(parts));
  throw Error(kind, out.str());
}
template <class... Parts>
[[noreturn]] void fail(Parts&&... parts) {
  fail_as(ErrorKind::unclassified, std::forward<Parts>(parts)...);
}

// Runs `work`; an Error of no kind that escapes it leaves with `kind`, and running out
// of memory leaves as limit_exceeded. Public entry points wrap their bodies in it.
template <class Work>
decltype(auto) classify_errors(ErrorKind kind, Work&& work) {
  try {
    return std::forward<Work>(work)();
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::unclassified) throw;
    throw e.classified(kind);
  } catch (const std::bad_alloc&) {
    throw Error(ErrorKind::limit_exceeded, "out of memory");
  }
}

}  // namespace onyx

#include "onyx/error.h"

namespace onyx {

const char* error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::unclassified:
      return "";
    case ErrorKind::invalid_model:
      return "invalid model";
    case ErrorKind::unsupported_operator:
      return "unsupported operator";
    case ErrorKind::unsupported_model:
      return "unsupported model";
    case ErrorKind::invalid_input:
      return "invalid input";
    case ErrorKind::limit_exceeded:
      return "limit exceeded";
    case ErrorKind::io_error:
      return "io error";
    case ErrorKind::internal_error:
      return "internal error";
  }
  return "";
}

}  // namespace onyx

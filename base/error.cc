#include "base/error.h"

#include <cerrno>
#include <cstring>

namespace ferry {

void throw_errno(const std::string& what, int err) {
  std::string message = what + ": " + std::strerror(err);
  if (err == ENOSPC || err == EDQUOT) {
    throw Error(ErrorCode::kInsufficientStorage,
                message + " (free space on the data disk and retry)");
  }
  throw Error(ErrorCode::kStorage, message);
}

}  // namespace ferry

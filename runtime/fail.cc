#include "runtime/fail.h"

#include <cerrno>
#include <cstdio>

#include "core/printable.h"

namespace ferry {

int fail(int code, const std::string& message) {
  std::fprintf(stderr, "%s: %s\n", program_invocation_short_name, printable(message).c_str());
  return code;
}

}  // namespace ferry

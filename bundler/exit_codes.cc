#include "bundler/exit_codes.h"

#include <cstdio>
#include <stdexcept>

#include "core/printable.h"

namespace ferry::cli {
namespace {

// Messages quote what users and registries gave (list lines, names): their
// control characters are shown escaped, never sent to the terminal.
void print(const std::exception& e) {
  std::fprintf(stderr, "ferry: %s\n", printable(e.what()).c_str());
}

}  // namespace

int exit_code(const Error& e) {
  auto decision = exit_class(e);
  switch (decision.exit_class) {
    case ExitClass::kRefused: return decision.refusal->exit_code;
    case ExitClass::kKey: return kKeyError;
    case ExitClass::kSource: return kSourceError;
    case ExitClass::kStorage:
    case ExitClass::kOther: return kIo;
  }
  return kFailure;
}

int report_failure(std::exception_ptr failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const Error& e) {
    print(e);
    return exit_code(e);
  } catch (const std::invalid_argument& e) {
    print(e);
    return kUsage;
  } catch (const std::exception& e) {
    print(e);
    return kFailure;
  }
}

}  // namespace ferry::cli

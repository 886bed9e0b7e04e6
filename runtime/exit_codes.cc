#include "runtime/exit_codes.h"

namespace ferry {

int daemon_exit_code(const ExitDecision& decision) {
  switch (decision.exit_class) {
    case ExitClass::kRefused: return decision.refusal->exit_code;
    case ExitClass::kStorage: return kStorage;
    case ExitClass::kKey:
    case ExitClass::kSource:
    case ExitClass::kOther: break;
  }
  return kFailure;
}

}  // namespace ferry

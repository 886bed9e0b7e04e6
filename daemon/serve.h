// ferryd serve: runs until SIGTERM or SIGINT, then drains and returns the
// exit code (runtime/exit_codes.h).
#pragma once

#include <string>

#include "runtime/config.h"

namespace ferry {

int serve(const DaemonConfig& config);

}  // namespace ferry

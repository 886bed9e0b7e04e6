// ferryd serve: runs until SIGTERM or SIGINT, then drains and returns the
// exit code (daemon/exit_codes.h).
#pragma once

#include <string>

#include "daemon/config.h"

namespace ferry {

int serve(const DaemonConfig& config);

// Prints "<program>: <message>" on stderr (ferryd, ferryctl) and returns code.
int fail(int code, const std::string& message);

}  // namespace ferry

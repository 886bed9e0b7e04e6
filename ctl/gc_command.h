// ferryctl gc: garbage collection on demand, beside a running server or not.
#pragma once

#include <chrono>
#include <optional>

#include "runtime/config.h"

namespace ferry::ctl {

struct GcCommand {
  bool dry_run = false;
  bool json = false;
  std::optional<std::chrono::seconds> grace;  // else the config's gc.grace
};

int run_gc(const DaemonConfig& config, const GcCommand& command);

}  // namespace ferry::ctl

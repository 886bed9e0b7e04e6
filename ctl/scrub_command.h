// ferryctl scrub: re-hash everything stored and check every reference now.
#pragma once

#include <cstdint>

#include "runtime/config.h"

namespace ferry::ctl {

struct ScrubCommand {
  uint64_t rate = 0;  // bytes per second; 0: as fast as the disk reads
  bool json = false;
};

int run_scrub(const DaemonConfig& config, const ScrubCommand& command);

}  // namespace ferry::ctl

// ferryctl status: what the registry holds, per namespace, and its disk.
#pragma once

#include "daemon/config.h"

namespace ferry::ctl {

int run_status(const DaemonConfig& config, bool json);

}  // namespace ferry::ctl

// ferryctl status: what the registry holds, per namespace, and its disk.
#pragma once

#include "ctl/remote_admin.h"
#include "runtime/config.h"

namespace ferry::ctl {

// On the data dir, or through the registry `remote` names when given.
int run_status(const DaemonConfig& config, const RemoteOptions* remote, bool json);

}  // namespace ferry::ctl

// ferryctl user | token | grant | revoke | namespace | audit: the access
// model of docs/access.md, changed on the data dir's database so a running
// ferryd sees each change at once. Every change is written to the audit log.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "daemon/config.h"

namespace ferry::ctl {

// Adds the subcommands to `app`; the returned function runs whichever was
// chosen (or returns -1 when none of them was).
std::function<int(const DaemonConfig&)> add_access_commands(CLI::App& app);

}  // namespace ferry::ctl

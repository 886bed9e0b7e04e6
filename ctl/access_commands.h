// ferryctl user | token | grant | revoke | namespace | audit: the access
// model of docs/access.md, changed on the data dir's database (a running
// ferryd sees each change at once) or, with --registry, through a running
// ferryd's admin API. Every change is written to the audit log.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "ctl/remote_admin.h"
#include "runtime/config.h"

namespace ferry::ctl {

// Adds the subcommands to `app`; the returned function runs whichever was
// chosen (or returns -1 when none of them was), on the data dir, or on the
// registry `remote` names when it is given.
std::function<int(const DaemonConfig&, const RemoteOptions* remote)> add_access_commands(
    CLI::App& app);

}  // namespace ferry::ctl

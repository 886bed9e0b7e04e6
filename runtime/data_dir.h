// Commands that work on a data directory a server may be running on
// (ferryd import, ferryd imports, ferryctl).
#pragma once

#include <optional>
#include <string>

#include "core/store.h"
#include "runtime/config.h"

namespace ferry {

// Opens the store without clearing the server's staging files; nullopt and
// *error on failure.
std::optional<Store> open_store_beside_server(const DaemonConfig& config, std::string* error);

// Run as root on a data dir that belongs to the service's user, a command
// would leave root-owned files (the database's -wal and -shm among them)
// that the service can no longer write. Become the data dir's owner instead.
// False (after printing why) when that fails.
bool act_as_data_dir_owner(const std::string& data_dir);

}  // namespace ferry

// Commands that work on a data directory a server may be running on
// (ferryd import, ferryd imports, ferryctl).
#pragma once

#include <optional>
#include <string>

#include "core/store.h"
#include "runtime/config.h"

namespace ferry {

// Opens the data dir's store (creating the folder), and checks that every
// module's tables (registry, access, imports) are ones this build
// understands, upgrading older ones; nullopt and *error ("cannot open data
// directory: ...") on failure. clear_staging: only ferryd serve clears tmp/.
std::optional<Store> open_store(const DaemonConfig& config, bool clear_staging, std::string* error);

// open_store without clearing the server's staging files (import, ferryctl).
inline std::optional<Store> open_store_beside_server(const DaemonConfig& config,
                                                     std::string* error) {
  return open_store(config, /*clear_staging=*/false, error);
}

// Run as root on a data dir that belongs to the service's user, a command
// would leave root-owned files (the database's -wal and -shm among them)
// that the service can no longer write. Become the data dir's owner instead.
// False (after printing why) when that fails.
bool act_as_data_dir_owner(const std::string& data_dir);

}  // namespace ferry

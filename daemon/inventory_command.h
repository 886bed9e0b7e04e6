// `ferryd inventory`: what this box holds, as the JSON document that
// `ferry pack --base-inventory` reads to leave it out of the next delta
// bundle (core/inventory.h).
#pragma once

#include <string>

#include "runtime/config.h"

namespace ferry {

// Writes the inventory to `output` (atomically), or to stdout when empty.
// Returns an exit code (runtime/exit_codes.h).
int run_inventory_command(const DaemonConfig& config, const std::string& output);

}  // namespace ferry

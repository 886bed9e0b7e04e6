// `ferryd import` and `ferryd imports`: the import from a shell (or a
// systemd oneshot), and the history of every attempt.
#pragma once

#include <string>

#include "daemon/import/importer.h"
#include "runtime/config.h"

namespace ferry {

// options.trust_dir and box_key come from the config unless set.
int run_import_command(const DaemonConfig& config, import::ImportOptions options);
int run_imports_command(const DaemonConfig& config, bool json, int64_t limit);

}  // namespace ferry

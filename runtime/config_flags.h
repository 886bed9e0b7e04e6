// --data-dir and --config for every command that works on a data directory
// (ferryd's subcommands, ferryctl): defaults, then the file, then flags.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "runtime/config.h"
#include "runtime/exit_codes.h"
#include "runtime/fail.h"

namespace ferry {

struct ConfigFlags {
  std::string config_file, data_dir;

  void add_to(CLI::App* cmd) {
    cmd->add_option("--data-dir", data_dir, "Where blobs and the database live (default ./data)");
    cmd->add_option("--config", config_file, "ferryd's TOML configuration file")
        ->check(CLI::ExistingFile);
  }
  // False, after saying why on stderr, when the file is unusable.
  bool load(DaemonConfig& config) const {
    try {
      if (!config_file.empty()) load_config_file(config_file, config);
    } catch (const std::exception& e) {
      fail(kUsage, e.what());
      return false;
    }
    if (!data_dir.empty()) config.data_dir = data_dir;
    return true;
  }
};

}  // namespace ferry

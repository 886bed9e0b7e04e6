// ferry pack: images in, one signed bundle out (docs/bundle-format.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bundler/passphrase.h"

namespace ferry::cli {

struct PackOptions {
  std::string key_path;
  std::string output;
  std::string channel = "default";
  uint64_t sequence = 0;
  int threads = 0;
  uint64_t split_bytes = 0;  // 0: one file
  std::vector<std::string> sources;
  std::vector<std::string> platforms;  // --platform
  std::string base_bundle;             // --base: leave out what it delivered
  std::string base_inventory;          // --base-inventory: a JSON list of digests
  PassphraseSource passphrase;
};

int run_pack(const PackOptions& options);

}  // namespace ferry::cli

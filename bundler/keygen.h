// ferry keygen: a new Ed25519 key pair in minisign's formats.
#pragma once

#include <string>

#include "bundler/passphrase.h"

namespace ferry::cli {

struct KeygenOptions {
  std::string prefix;  // writes PREFIX.key and PREFIX.pub
  bool no_password = false;
  bool force = false;  // overwrite existing files
  PassphraseSource passphrase;
};

int run_keygen(const KeygenOptions& options);

}  // namespace ferry::cli

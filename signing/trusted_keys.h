// The trust store: a folder of minisign public keys (*.pub), one signer each.
// A bundle is accepted only when its signature names one of them.
#pragma once

#include <string>
#include <vector>

#include "signing/keys.h"

namespace ferry::signing {

struct TrustedKeys {
  std::vector<PublicKey> keys;
  std::vector<std::string> problems;  // "FILE: why", for files that were skipped
};

// Reads every *.pub in dir. A file that is not a public key is skipped and
// named in `problems` rather than failing the rest. A missing folder gives
// no keys (and a problem saying so).
TrustedKeys load_trusted_keys(const std::string& dir);

}  // namespace ferry::signing

// Key files as the user names them on the command line: a secret key to sign
// with, and trusted public keys as one .pub file or a folder of them (the
// trust folder `ferryd import` reads). Mix-ups get their own message: a
// public key where the secret one belongs, and the other way round.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "bundler/passphrase.h"
#include "signing/keys.h"

namespace ferry::cli {

// A key file that cannot be used: missing, malformed, or the wrong kind.
// ferry exits with kKeyError (4) for it.
class KeyFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads and, when encrypted, decrypts `path` (asking for the passphrase as
// `passphrase` says). Throws KeyFileError, or SigningError for a wrong
// passphrase.
signing::SecretKey load_secret_key(const std::string& path, const PassphraseSource& passphrase);

// The public key in a .pub file, or every *.pub in a folder. Throws
// KeyFileError when there is none to trust.
std::vector<signing::PublicKey> load_public_keys(const std::string& path);

}  // namespace ferry::cli

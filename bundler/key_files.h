// Key files as the user names them on the command line: a secret key to sign
// with, and trusted public keys as one .pub file or a folder of them (the
// trust folder `ferryd import` reads). Mix-ups get their own message: a
// public key where the secret one belongs, and the other way round.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"
#include "bundler/passphrase.h"
#include "signing/keys.h"

namespace ferry::cli {

// Why a key file cannot be used: the key-file domain of ferry::Error. ferry
// exits with kKeyError (4) for each.
enum class KeyFileErrorKind {
  kUnreadable,  // it cannot be read
  kMalformed,   // not a key minisign or ferry keygen writes
  kWrongKind,   // a public key where the secret one belongs, or the other way round
  kMissing,     // no key named, or a folder without one
};

// Reads and, when encrypted, decrypts `path` (asking for the passphrase as
// `passphrase` says). Throws Error: a KeyFileErrorKind, or
// SigningErrorKind::kWrongPassphrase.
signing::SecretKey load_secret_key(const std::string& path, const PassphraseSource& passphrase);

// The public key in a .pub file, or every *.pub in a folder. Throws
// Error(KeyFileErrorKind) when there is none to trust.
std::vector<signing::PublicKey> load_public_keys(const std::string& path);

}  // namespace ferry::cli

template <>
struct ferry::ErrorDomainOf<ferry::cli::KeyFileErrorKind> {
  static constexpr ErrorDomain value = ErrorDomain::kKeyFile;
};

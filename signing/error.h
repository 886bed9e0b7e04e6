// Why a key or signature was refused: the signing domain of ferry::Error.
// Each kind maps to its own CLI exit code (bundle/refusal.cc).
#pragma once

#include "base/error.h"

namespace ferry::signing {

enum class SigningErrorKind {
  kMalformed,          // not a minisign key or signature file
  kUnsupported,        // an algorithm minisign itself does not use
  kWrongPassphrase,    // the secret key's checksum does not match after decryption
  kUnknownKey,         // signed by a different key than the one given
  kBadSignature,       // the signature does not match the data
  kBadTrustedComment,  // the trusted comment was altered
};

}  // namespace ferry::signing

template <>
struct ferry::ErrorDomainOf<ferry::signing::SigningErrorKind> {
  static constexpr ErrorDomain value = ErrorDomain::kSigning;
};

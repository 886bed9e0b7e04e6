// Why a key or signature was refused. Each kind maps to its own CLI exit code.
#pragma once

#include <stdexcept>
#include <string>

namespace ferry::signing {

enum class SigningErrorKind {
  kMalformed,          // not a minisign key or signature file
  kUnsupported,        // an algorithm minisign itself does not use
  kWrongPassphrase,    // the secret key's checksum does not match after decryption
  kUnknownKey,         // signed by a different key than the one given
  kBadSignature,       // the signature does not match the data
  kBadTrustedComment,  // the trusted comment was altered
};

class SigningError : public std::runtime_error {
 public:
  SigningError(SigningErrorKind kind, const std::string& message)
      : std::runtime_error(message), kind_(kind) {}
  SigningErrorKind kind() const { return kind_; }

 private:
  SigningErrorKind kind_;
};

}  // namespace ferry::signing

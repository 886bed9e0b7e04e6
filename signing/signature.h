// minisign signatures (.minisig):
//
//   untrusted comment: <anything>
//   base64("ED" | key id (8) | Ed25519 signature of BLAKE2b-512(data))
//   trusted comment: <text>
//   base64(Ed25519 signature of (the signature above | text))
//
// "ED" is minisign's prehashed form (the only one Ferry writes; it reads the
// legacy "Ed" form, which signs the data itself, too). The trusted comment is
// signed, so it can carry facts (bundle id, channel, sequence) a verifier may
// rely on; the untrusted one is not.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "signing/keys.h"

namespace ferry::signing {

// BLAKE2b-512 over a byte stream, for signing or verifying large files
// without holding them in memory.
class Prehash {
 public:
  Prehash();
  void update(const void* data, size_t size);
  std::array<unsigned char, 64> final();

 private:
  crypto_generichash_state state_;
};

struct Signature {
  bool prehashed = true;
  KeyId key_id;
  std::array<unsigned char, 64> signature{};
  std::string trusted_comment;
  std::array<unsigned char, 64> comment_signature{};
  std::string untrusted_comment = "signature from minisign secret key";

  static Signature parse(std::string_view text);
  std::string to_file() const;
};

// Signs data whose BLAKE2b-512 is `prehash`.
Signature sign_prehashed(const SecretKey& key, const std::array<unsigned char, 64>& prehash,
                         std::string trusted_comment);

// Checks, in this order, that the signature was made by `key`, over data with
// this BLAKE2b-512 (or these bytes, for the legacy form), and that its trusted
// comment is intact. Throws Error(SigningErrorKind) naming the failed check.
void verify_prehashed(const PublicKey& key, const Signature& sig,
                      const std::array<unsigned char, 64>& prehash);

}  // namespace ferry::signing

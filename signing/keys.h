// Ed25519 keys in minisign's file formats, so keys made by `minisign -G`
// work with Ferry and the other way round.
//
//   public key:  "untrusted comment: ..." line, then
//                base64("Ed" | key id (8) | public key (32))
//   secret key:  "untrusted comment: ..." line, then base64 of 158 bytes:
//                "Ed" | kdf ("Sc" = scrypt, or 00 00 = none) | "B2" |
//                salt (32) | opslimit (u64 le) | memlimit (u64 le) |
//                [key id (8) | secret key (64) | BLAKE2b-256 checksum (32)]
//                where the bracket is XORed with scrypt(passphrase) when "Sc".
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "signing/secure_buffer.h"

namespace ferry::signing {

struct KeyId {
  std::array<unsigned char, 8> bytes{};
  // As minisign prints it: the little-endian u64 in upper-case hex.
  std::string hex() const;
  friend bool operator==(const KeyId&, const KeyId&) = default;
};

// minisign's scrypt cost for new encrypted keys (its "sensitive" limits).
inline constexpr uint64_t kScryptOpsLimit = 33554432;
inline constexpr uint64_t kScryptMemLimit = 1073741824;

class PublicKey {
 public:
  // The whole .pub file, or just its base64 line.
  static PublicKey parse(std::string_view text);
  const KeyId& id() const { return id_; }
  const std::array<unsigned char, 32>& key() const { return key_; }
  std::string base64() const;
  std::string to_file() const;

 private:
  friend class SecretKey;
  KeyId id_;
  std::array<unsigned char, 32> key_{};
};

class SecretKey {
 public:
  static SecretKey generate();
  // `passphrase` is asked for only when the key is encrypted.
  template <typename GetPassphrase>
  static SecretKey parse(std::string_view text, GetPassphrase&& get_passphrase);
  // Serialises; encrypted with scrypt when a passphrase is given. The limits
  // are stored in the file, so any reader (minisign too) uses the same ones.
  std::string to_file(const std::optional<std::string_view>& passphrase,
                      uint64_t ops_limit = kScryptOpsLimit,
                      uint64_t mem_limit = kScryptMemLimit) const;

  const KeyId& id() const { return id_; }
  PublicKey public_key() const;
  // Ed25519 detached signature of `message`.
  std::array<unsigned char, 64> sign(const unsigned char* message, size_t size) const;

 private:
  SecretKey();
  static SecretKey parse_with(std::string_view text, bool encrypted, std::string_view passphrase);
  static bool is_encrypted(std::string_view text);

  KeyId id_;
  SecureBuffer key_;  // 64 bytes: seed | public key, as libsodium keeps it
};

template <typename GetPassphrase>
SecretKey SecretKey::parse(std::string_view text, GetPassphrase&& get_passphrase) {
  if (!is_encrypted(text)) return parse_with(text, false, {});
  const auto passphrase = get_passphrase();
  return parse_with(text, true, passphrase);
}

}  // namespace ferry::signing

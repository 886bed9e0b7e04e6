#include "signing/keys.h"

#include <cstring>

#include "signing/error.h"
#include "signing/text_format.h"

namespace ferry::signing {
namespace {

constexpr unsigned char kSigAlg[2] = {'E', 'd'};
constexpr unsigned char kKdfScrypt[2] = {'S', 'c'};
constexpr unsigned char kKdfNone[2] = {0, 0};
constexpr unsigned char kChkBlake2b[2] = {'B', '2'};

// Offsets in the 158-byte secret key record.
constexpr size_t kSaltAt = 6, kOpsAt = 38, kMemAt = 46, kKeynumAt = 54;
constexpr size_t kKeynumSize = 8 + 64 + 32;  // key id | secret key | checksum
constexpr size_t kRecordSize = kKeynumAt + kKeynumSize;
static_assert(kRecordSize == 158);

void store_le64(unsigned char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}
uint64_t load_le64(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// BLAKE2b-256 over "Ed" | key id | secret key, as minisign checks it.
void checksum(const unsigned char* keynum_and_sk, unsigned char out[32]) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, 32);
  crypto_generichash_update(&st, kSigAlg, 2);
  crypto_generichash_update(&st, keynum_and_sk, 8 + 64);
  crypto_generichash_final(&st, out, 32);
}

// XORs `buf` with scrypt(passphrase, salt), which both encrypts and decrypts.
void scrypt_xor(unsigned char* buf, std::string_view passphrase, const unsigned char* salt,
                uint64_t ops, uint64_t mem) {
  SecureBuffer stream(kKeynumSize);
  if (crypto_pwhash_scryptsalsa208sha256(stream.data(), kKeynumSize, passphrase.data(),
                                         passphrase.size(), salt, ops,
                                         static_cast<size_t>(mem)) != 0) {
    throw Error(SigningErrorKind::kMalformed,
                "cannot derive the key from the passphrase (scrypt limits out of range "
                "or not enough memory)");
  }
  for (size_t i = 0; i < kKeynumSize; ++i) buf[i] ^= stream.data()[i];
}

std::string_view key_line(std::string_view text, const char* what) {
  auto lines = split_lines(text);
  if (lines.size() >= 2 && lines[0].substr(0, kUntrustedPrefix.size()) == kUntrustedPrefix) {
    return lines[1];
  }
  if (lines.size() == 1) return lines[0];
  throw Error(SigningErrorKind::kMalformed,
              std::string("not a minisign ") + what +
                  " file: expected an 'untrusted comment:' line and a base64 line");
}

}  // namespace

std::string KeyId::hex() const {
  char out[17];
  snprintf(out, sizeof out, "%016llX", static_cast<unsigned long long>(load_le64(bytes.data())));
  return out;
}

PublicKey PublicKey::parse(std::string_view text) {
  unsigned char raw[2 + 8 + 32];
  if (!from_base64(key_line(text, "public key"), raw, sizeof raw)) {
    throw Error(SigningErrorKind::kMalformed,
                "public key is not base64 of 42 bytes; is this a minisign .pub file?");
  }
  if (std::memcmp(raw, kSigAlg, 2) != 0) {
    throw Error(SigningErrorKind::kUnsupported, "public key is not an Ed25519 minisign key");
  }
  PublicKey pk;
  std::memcpy(pk.id_.bytes.data(), raw + 2, 8);
  std::memcpy(pk.key_.data(), raw + 10, 32);
  return pk;
}

std::string PublicKey::base64() const {
  unsigned char raw[2 + 8 + 32];
  std::memcpy(raw, kSigAlg, 2);
  std::memcpy(raw + 2, id_.bytes.data(), 8);
  std::memcpy(raw + 10, key_.data(), 32);
  return to_base64(raw, sizeof raw);
}

std::string PublicKey::to_file() const {
  return std::string(kUntrustedPrefix) + "minisign public key " + id_.hex() + "\n" + base64() +
         "\n";
}

SecretKey::SecretKey() : key_(crypto_sign_SECRETKEYBYTES) {}

SecretKey SecretKey::generate() {
  SecretKey sk;
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  crypto_sign_keypair(pk, sk.key_.data());
  randombytes_buf(sk.id_.bytes.data(), sk.id_.bytes.size());
  return sk;
}

bool SecretKey::is_encrypted(std::string_view text) {
  unsigned char head[6] = {};
  std::string_view line = key_line(text, "secret key");
  // Decoding the first 8 base64 characters gives the first 6 bytes.
  if (line.size() < 8 || !from_base64(line.substr(0, 8), head, 6)) {
    throw Error(SigningErrorKind::kMalformed, "secret key is not base64");
  }
  return std::memcmp(head + 2, kKdfScrypt, 2) == 0;
}

SecretKey SecretKey::parse_with(std::string_view text, bool encrypted,
                                std::string_view passphrase) {
  SecureBuffer raw(kRecordSize);
  if (!from_base64(key_line(text, "secret key"), raw.data(), kRecordSize)) {
    throw Error(SigningErrorKind::kMalformed,
                "secret key is not base64 of 158 bytes; is this a minisign .key file?");
  }
  const unsigned char* r = raw.data();
  if (std::memcmp(r, kSigAlg, 2) != 0 || std::memcmp(r + 4, kChkBlake2b, 2) != 0) {
    throw Error(SigningErrorKind::kUnsupported,
                "secret key uses an algorithm other than Ed25519 with a BLAKE2b checksum");
  }
  bool scrypt = std::memcmp(r + 2, kKdfScrypt, 2) == 0;
  if (!scrypt && std::memcmp(r + 2, kKdfNone, 2) != 0) {
    throw Error(SigningErrorKind::kUnsupported, "secret key uses an unknown key derivation");
  }
  (void)encrypted;  // is_encrypted() read the same header; scrypt decides
  unsigned char* keynum = raw.data() + kKeynumAt;
  if (scrypt)
    scrypt_xor(keynum, passphrase, r + kSaltAt, load_le64(r + kOpsAt), load_le64(r + kMemAt));
  unsigned char expected[32];
  checksum(keynum, expected);
  bool checksum_ok = sodium_memcmp(expected, keynum + 72, 32) == 0;
  if (scrypt && !checksum_ok) {
    throw Error(SigningErrorKind::kWrongPassphrase, "wrong passphrase for this secret key");
  }
  // minisign checks the checksum only when decrypting, and its unencrypted
  // keys carry zeros there; a non-zero wrong one means damage.
  if (!scrypt && !checksum_ok && !sodium_is_zero(keynum + 72, 32)) {
    throw Error(SigningErrorKind::kMalformed,
                "secret key checksum does not match: the file is damaged");
  }
  SecretKey sk;
  std::memcpy(sk.id_.bytes.data(), keynum, 8);
  std::memcpy(sk.key_.data(), keynum + 8, 64);
  // libsodium keeps seed | public key; the two halves must agree.
  unsigned char derived_pk[32];
  SecureBuffer derived_sk(64);
  crypto_sign_seed_keypair(derived_pk, derived_sk.data(), sk.key_.data());
  if (sodium_memcmp(derived_pk, sk.key_.data() + 32, 32) != 0) {
    throw Error(SigningErrorKind::kMalformed,
                "secret key is inconsistent (its public half does not match): the file is "
                "damaged");
  }
  return sk;
}

std::string SecretKey::to_file(const std::optional<std::string_view>& passphrase,
                               uint64_t ops_limit, uint64_t mem_limit) const {
  SecureBuffer raw(kRecordSize);
  unsigned char* r = raw.data();
  std::memset(r, 0, kRecordSize);
  std::memcpy(r, kSigAlg, 2);
  std::memcpy(r + 2, passphrase ? kKdfScrypt : kKdfNone, 2);
  std::memcpy(r + 4, kChkBlake2b, 2);
  unsigned char* keynum = r + kKeynumAt;
  std::memcpy(keynum, id_.bytes.data(), 8);
  std::memcpy(keynum + 8, key_.data(), 64);
  checksum(keynum, keynum + 72);
  if (passphrase) {
    randombytes_buf(r + kSaltAt, 32);
    store_le64(r + kOpsAt, ops_limit);
    store_le64(r + kMemAt, mem_limit);
    scrypt_xor(keynum, *passphrase, r + kSaltAt, ops_limit, mem_limit);
  }
  std::string comment = passphrase ? "minisign encrypted secret key" : "minisign secret key";
  return std::string(kUntrustedPrefix) + comment + "\n" + to_base64(r, kRecordSize) + "\n";
}

PublicKey SecretKey::public_key() const {
  PublicKey pk;
  pk.id_ = id_;
  crypto_sign_ed25519_sk_to_pk(pk.key_.data(), key_.data());
  return pk;
}

std::array<unsigned char, 64> SecretKey::sign(const unsigned char* message, size_t size) const {
  std::array<unsigned char, 64> sig{};
  crypto_sign_detached(sig.data(), nullptr, message, size, key_.data());
  return sig;
}

}  // namespace ferry::signing

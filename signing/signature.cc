#include "signing/signature.h"

#include <cstring>

#include "signing/error.h"
#include "signing/sodium_init.h"
#include "signing/text_format.h"

namespace ferry::signing {
namespace {

constexpr unsigned char kPrehashed[2] = {'E', 'D'};
constexpr unsigned char kLegacy[2] = {'E', 'd'};
constexpr size_t kMaxTrustedComment = 8192;  // minisign's limit

std::string comment_message(const Signature& sig) {
  std::string m(reinterpret_cast<const char*>(sig.signature.data()), sig.signature.size());
  m += sig.trusted_comment;
  return m;
}

}  // namespace

Prehash::Prehash() {
  ensure_sodium();
  crypto_generichash_init(&state_, nullptr, 0, 64);
}

void Prehash::update(const void* data, size_t size) {
  crypto_generichash_update(&state_, static_cast<const unsigned char*>(data), size);
}

std::array<unsigned char, 64> Prehash::final() {
  std::array<unsigned char, 64> out{};
  crypto_generichash_final(&state_, out.data(), out.size());
  return out;
}

Signature Signature::parse(std::string_view text) {
  auto lines = split_lines(text);
  auto malformed = [](const std::string& why) {
    return Error(SigningErrorKind::kMalformed, "not a minisign signature: " + why);
  };
  if (lines.size() < 4) throw malformed("expected four lines");
  if (lines[0].substr(0, kUntrustedPrefix.size()) != kUntrustedPrefix) {
    throw malformed("first line must start with 'untrusted comment: '");
  }
  if (lines[2].substr(0, kTrustedPrefix.size()) != kTrustedPrefix) {
    throw malformed("third line must start with 'trusted comment: '");
  }
  Signature sig;
  sig.untrusted_comment = std::string(lines[0].substr(kUntrustedPrefix.size()));
  unsigned char raw[2 + 8 + 64];
  if (!from_base64(lines[1], raw, sizeof raw))
    throw malformed("second line is not base64 of 74 bytes");
  if (std::memcmp(raw, kPrehashed, 2) == 0) {
    sig.prehashed = true;
  } else if (std::memcmp(raw, kLegacy, 2) == 0) {
    sig.prehashed = false;
  } else {
    throw Error(SigningErrorKind::kUnsupported, "signature algorithm is not Ed25519");
  }
  std::memcpy(sig.key_id.bytes.data(), raw + 2, 8);
  std::memcpy(sig.signature.data(), raw + 10, 64);
  std::string_view trusted = lines[2].substr(kTrustedPrefix.size());
  if (trusted.size() > kMaxTrustedComment) throw malformed("trusted comment is too long");
  sig.trusted_comment = std::string(trusted);
  if (!from_base64(lines[3], sig.comment_signature.data(), 64)) {
    throw malformed("fourth line is not base64 of 64 bytes");
  }
  return sig;
}

std::string Signature::to_file() const {
  unsigned char raw[2 + 8 + 64];
  std::memcpy(raw, prehashed ? kPrehashed : kLegacy, 2);
  std::memcpy(raw + 2, key_id.bytes.data(), 8);
  std::memcpy(raw + 10, signature.data(), 64);
  return std::string(kUntrustedPrefix) + untrusted_comment + "\n" + to_base64(raw, sizeof raw) +
         "\n" + std::string(kTrustedPrefix) + trusted_comment + "\n" +
         to_base64(comment_signature.data(), 64) + "\n";
}

Signature sign_prehashed(const SecretKey& key, const std::array<unsigned char, 64>& prehash,
                         std::string trusted_comment) {
  if (trusted_comment.find_first_of("\r\n") != std::string::npos ||
      trusted_comment.size() > kMaxTrustedComment) {
    throw Error(SigningErrorKind::kMalformed,
                "a trusted comment is one line of at most 8192 bytes");
  }
  Signature sig;
  sig.key_id = key.id();
  sig.signature = key.sign(prehash.data(), prehash.size());
  sig.trusted_comment = std::move(trusted_comment);
  std::string message = comment_message(sig);
  sig.comment_signature =
      key.sign(reinterpret_cast<const unsigned char*>(message.data()), message.size());
  return sig;
}

void verify_prehashed(const PublicKey& key, const Signature& sig,
                      const std::array<unsigned char, 64>& prehash) {
  ensure_sodium();
  if (!(sig.key_id == key.id())) {
    throw Error(SigningErrorKind::kUnknownKey,
                "signed by key " + sig.key_id.hex() + ", not by the trusted key " + key.id().hex());
  }
  if (!sig.prehashed) {
    throw Error(SigningErrorKind::kUnsupported,
                "legacy (non-prehashed) signatures need the data itself; re-sign with a "
                "current minisign");
  }
  if (crypto_sign_verify_detached(sig.signature.data(), prehash.data(), prehash.size(),
                                  key.key().data()) != 0) {
    throw Error(SigningErrorKind::kBadSignature,
                "signature does not match the data: it was altered or truncated");
  }
  std::string message = comment_message(sig);
  if (crypto_sign_verify_detached(sig.comment_signature.data(),
                                  reinterpret_cast<const unsigned char*>(message.data()),
                                  message.size(), key.key().data()) != 0) {
    throw Error(SigningErrorKind::kBadTrustedComment,
                "the signature's trusted comment was altered");
  }
}

}  // namespace ferry::signing

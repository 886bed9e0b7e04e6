// Content digests ("sha256:<hex>", "sha512:<hex>") and streaming hashers.
// Hashing uses OpenSSL's EVP, which picks SHA-NI / ARMv8 crypto instructions
// at run time; measured here by bench/hash.sh: 1.8 GB/s, 5x libsodium.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace ferry {

enum class DigestAlgorithm { kSha256, kSha512 };

class Digest {
 public:
  // Parses "sha256:<64 hex>" or "sha512:<128 hex>" (lower-case hex only, as
  // the spec requires). Anything else, including unknown algorithms, is
  // std::nullopt: callers decide whether that is DIGEST_INVALID or UNSUPPORTED.
  static std::optional<Digest> parse(std::string_view text);
  // Like parse() but throws DIGEST_INVALID with a message naming the input.
  static Digest parse_or_throw(std::string_view text);

  DigestAlgorithm algorithm() const { return algorithm_; }
  std::string_view algorithm_name() const;
  const std::string& hex() const { return hex_; }
  std::string str() const;

  friend bool operator==(const Digest&, const Digest&) = default;
  friend auto operator<=>(const Digest&, const Digest&) = default;

 private:
  Digest(DigestAlgorithm algorithm, std::string hex)
      : algorithm_(algorithm), hex_(std::move(hex)) {}
  friend class Hasher;

  DigestAlgorithm algorithm_;
  std::string hex_;
};

// Incremental hash over a byte stream. Copyable so an upload session can
// snapshot its state between requests.
class Hasher {
 public:
  explicit Hasher(DigestAlgorithm algorithm = DigestAlgorithm::kSha256);
  Hasher(const Hasher& other);
  Hasher& operator=(const Hasher& other);
  Hasher(Hasher&&) noexcept;
  Hasher& operator=(Hasher&&) noexcept;
  ~Hasher();

  void update(const void* data, size_t size);
  void update(std::string_view data) { update(data.data(), data.size()); }
  // Digest of everything so far; the hasher stays usable.
  Digest digest() const;
  DigestAlgorithm algorithm() const { return algorithm_; }

 private:
  struct CtxFree {
    void operator()(evp_md_ctx_st* ctx) const;
  };
  DigestAlgorithm algorithm_;
  std::unique_ptr<evp_md_ctx_st, CtxFree> ctx_;
};

Digest digest_of(std::string_view data, DigestAlgorithm algorithm = DigestAlgorithm::kSha256);

}  // namespace ferry

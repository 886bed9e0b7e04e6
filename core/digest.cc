#include "core/digest.h"

#include <openssl/evp.h>

#include "base/error.h"

namespace ferry {
namespace {

const EVP_MD* md_for(DigestAlgorithm algorithm) {
  return algorithm == DigestAlgorithm::kSha256 ? EVP_sha256() : EVP_sha512();
}

bool is_lower_hex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

std::optional<Digest> Digest::parse(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view algo = text.substr(0, colon);
  std::string_view hex = text.substr(colon + 1);
  if (!is_lower_hex(hex)) return std::nullopt;
  if (algo == "sha256" && hex.size() == 64) {
    return Digest(DigestAlgorithm::kSha256, std::string(hex));
  }
  if (algo == "sha512" && hex.size() == 128) {
    return Digest(DigestAlgorithm::kSha512, std::string(hex));
  }
  return std::nullopt;
}

Digest Digest::parse_or_throw(std::string_view text) {
  if (auto d = parse(text)) return *d;
  throw Error(ErrorCode::kDigestInvalid, "invalid digest '" + std::string(text.substr(0, 200)) +
                                             "': expected sha256:<64 hex> or sha512:<128 hex>");
}

std::string_view Digest::algorithm_name() const {
  return algorithm_ == DigestAlgorithm::kSha256 ? "sha256" : "sha512";
}

std::string Digest::str() const {
  std::string out(algorithm_name());
  out += ':';
  out += hex_;
  return out;
}

void Hasher::CtxFree::operator()(evp_md_ctx_st* ctx) const {
  EVP_MD_CTX_free(ctx);
}

Hasher::Hasher(DigestAlgorithm algorithm) : algorithm_(algorithm), ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), md_for(algorithm), nullptr) != 1) {
    throw Error(ErrorCode::kInternal, "OpenSSL digest initialisation failed");
  }
}

Hasher::Hasher(const Hasher& other) : algorithm_(other.algorithm_), ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_MD_CTX_copy_ex(ctx_.get(), other.ctx_.get()) != 1) {
    throw Error(ErrorCode::kInternal, "OpenSSL digest copy failed");
  }
}

Hasher& Hasher::operator=(const Hasher& other) {
  if (this != &other) *this = Hasher(other);
  return *this;
}

Hasher::Hasher(Hasher&&) noexcept = default;
Hasher& Hasher::operator=(Hasher&&) noexcept = default;
Hasher::~Hasher() = default;

void Hasher::update(const void* data, size_t size) {
  if (size != 0) EVP_DigestUpdate(ctx_.get(), data, size);
}

Digest Hasher::digest() const {
  // Finalising consumes the context, so finalise a copy.
  std::unique_ptr<EVP_MD_CTX, CtxFree> copy(EVP_MD_CTX_new());
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!copy || EVP_MD_CTX_copy_ex(copy.get(), ctx_.get()) != 1 ||
      EVP_DigestFinal_ex(copy.get(), out, &len) != 1) {
    throw Error(ErrorCode::kInternal, "OpenSSL digest finalisation failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(len * 2, '0');
  for (unsigned int i = 0; i < len; ++i) {
    hex[2 * i] = kHex[out[i] >> 4];
    hex[2 * i + 1] = kHex[out[i] & 0xf];
  }
  return Digest(algorithm_, std::move(hex));
}

Digest digest_of(std::string_view data, DigestAlgorithm algorithm) {
  Hasher h(algorithm);
  h.update(data);
  return h.digest();
}

}  // namespace ferry

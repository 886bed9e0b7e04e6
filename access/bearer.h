// Short-lived bearer tokens for the registry token flow (docs/access.md):
// claims in JSON, signed with the daemon's own Ed25519 key, in the form
// base64url(claims) "." base64url(signature). Clients treat them as opaque.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ferry::access {

// One repository and the actions granted on it ("pull", "push", "delete").
struct Grant {
  std::string repository;
  std::set<std::string> actions;
};

struct BearerClaims {
  std::string user;  // empty: anonymous
  int64_t issued_at = 0;
  int64_t expires_at = 0;
  std::vector<Grant> grants;

  bool allows(const std::string& repository, const std::string& action) const;
};

// Parses "repository:NAME:pull,push"; nullopt for other resource types.
std::optional<Grant> parse_scope(const std::string& scope);

class BearerKeys {
 public:
  // Loads the 32-byte seed at `path`, creating it (0600) when missing.
  static BearerKeys load_or_create(const std::string& path);
  BearerKeys(const BearerKeys&) = delete;
  BearerKeys& operator=(const BearerKeys&) = delete;
  BearerKeys(BearerKeys&& other) noexcept;
  ~BearerKeys();

  std::string issue(const BearerClaims& claims) const;
  // The claims when the signature holds and the token has not expired.
  std::optional<BearerClaims> verify(const std::string& token, int64_t now) const;

 private:
  BearerKeys() = default;
  std::array<unsigned char, 64> secret_{};  // libsodium's seed || public key
  std::array<unsigned char, 32> public_{};
};

}  // namespace ferry::access

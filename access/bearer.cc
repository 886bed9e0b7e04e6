#include "access/bearer.h"

#include <sodium.h>

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/file_util.h"
#include "signing/text_format.h"

namespace ferry::access {
namespace {

std::string b64url(const unsigned char* data, size_t size) {
  return signing::encode_base64(std::string_view(reinterpret_cast<const char*>(data), size),
                                signing::Base64::kUrlNoPadding);
}

std::optional<std::string> unb64url(const std::string& text) {
  return signing::decode_base64(text, signing::Base64::kUrlNoPadding);
}

}  // namespace

bool BearerClaims::allows(const std::string& repository, const std::string& action) const {
  for (const auto& g : grants) {
    if (g.repository == repository && (g.actions.count(action) || g.actions.count("*"))) {
      return true;
    }
  }
  return false;
}

std::optional<Grant> parse_scope(const std::string& scope) {
  // repository:NAME:ACTIONS; NAME may hold ':' only in a registry host, which
  // a scope for this registry never has, so split at the first and last ':'.
  auto first = scope.find(':');
  auto last = scope.rfind(':');
  if (first == std::string::npos || first == last || scope.substr(0, first) != "repository") {
    return std::nullopt;
  }
  Grant g{scope.substr(first + 1, last - first - 1), {}};
  std::string actions = scope.substr(last + 1);
  size_t start = 0;
  while (start <= actions.size()) {
    size_t comma = actions.find(',', start);
    if (comma == std::string::npos) comma = actions.size();
    if (comma > start) g.actions.insert(actions.substr(start, comma - start));
    start = comma + 1;
  }
  if (g.repository.empty() || g.actions.empty()) return std::nullopt;
  return g;
}

BearerKeys BearerKeys::load_or_create(const std::string& path) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  std::array<unsigned char, 32> seed{};
  if (path_exists(path)) {
    std::string bytes = read_small_file(path, 64);
    if (bytes.size() != seed.size()) {
      throw std::runtime_error(path +
                               " is not a 32-byte token signing key; remove it to make a new one");
    }
    std::copy(bytes.begin(), bytes.end(), seed.begin());
  } else {
    randombytes_buf(seed.data(), seed.size());
    write_file_atomic(path, std::string_view(reinterpret_cast<char*>(seed.data()), seed.size()),
                      0600);
  }
  BearerKeys keys;
  crypto_sign_seed_keypair(keys.public_.data(), keys.secret_.data(), seed.data());
  sodium_memzero(seed.data(), seed.size());
  return keys;
}

BearerKeys::BearerKeys(BearerKeys&& other) noexcept
    : secret_(other.secret_), public_(other.public_) {
  sodium_memzero(other.secret_.data(), other.secret_.size());
}

BearerKeys::~BearerKeys() {
  sodium_memzero(secret_.data(), secret_.size());
}

std::string BearerKeys::issue(const BearerClaims& c) const {
  nlohmann::json access = nlohmann::json::array();
  for (const auto& g : c.grants) {
    access.push_back({{"type", "repository"}, {"name", g.repository}, {"actions", g.actions}});
  }
  nlohmann::json claims{{"iss", "ferry"},
                        {"sub", c.user},
                        {"iat", c.issued_at},
                        {"exp", c.expires_at},
                        {"access", access}};
  std::string body = claims.dump();
  std::string payload = b64url(reinterpret_cast<const unsigned char*>(body.data()), body.size());
  std::array<unsigned char, crypto_sign_BYTES> sig{};
  crypto_sign_detached(sig.data(), nullptr, reinterpret_cast<const unsigned char*>(payload.data()),
                       payload.size(), secret_.data());
  return payload + "." + b64url(sig.data(), sig.size());
}

std::optional<BearerClaims> BearerKeys::verify(const std::string& token, int64_t now) const {
  auto dot = token.find('.');
  if (dot == std::string::npos) return std::nullopt;
  std::string payload = token.substr(0, dot);
  auto sig = unb64url(token.substr(dot + 1));
  if (!sig || sig->size() != crypto_sign_BYTES) return std::nullopt;
  if (crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(sig->data()),
                                  reinterpret_cast<const unsigned char*>(payload.data()),
                                  payload.size(), public_.data()) != 0) {
    return std::nullopt;
  }
  auto body = unb64url(payload);
  if (!body) return std::nullopt;
  auto j = nlohmann::json::parse(*body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  BearerClaims c;
  c.user = j.value("sub", "");
  c.issued_at = j.value("iat", int64_t{0});
  c.expires_at = j.value("exp", int64_t{0});
  if (now >= c.expires_at) return std::nullopt;
  if (j.contains("access") && j["access"].is_array()) {
    for (const auto& a : j["access"]) {
      Grant g{a.value("name", ""), {}};
      if (a.contains("actions") && a["actions"].is_array()) {
        for (const auto& act : a["actions"]) {
          if (act.is_string()) g.actions.insert(act.get<std::string>());
        }
      }
      c.grants.push_back(std::move(g));
    }
  }
  return c;
}

}  // namespace ferry::access

#include "client/saved_logins.h"

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <vector>

#include "base/error.h"
#include "core/file_util.h"
#include "signing/text_format.h"

namespace ferry::client {
namespace {

// "https://host/v1/" and "host" both name host.
std::string registry_key(std::string key) {
  if (auto p = key.find("://"); p != std::string::npos) key = key.substr(p + 3);
  if (auto p = key.find('/'); p != std::string::npos) key = key.substr(0, p);
  return key;
}

bool is_docker_hub(const std::string& host) {
  return host == "docker.io" || host == "index.docker.io" || host == "registry-1.docker.io";
}

std::optional<RegistryCredentials> credentials_in(const std::string& file,
                                                  const std::string& registry) {
  std::string text;
  try {
    text = read_small_file(file, 1 << 20);
  } catch (const Error&) {
    return std::nullopt;  // absent or unreadable: look in the next one
  }
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (!doc.is_object() || !doc.contains("auths") || !doc["auths"].is_object()) return std::nullopt;
  for (const auto& [key, entry] : doc["auths"].items()) {
    if (!auth_key_matches(key, registry) || !entry.is_object()) continue;
    auto decoded = signing::decode_base64(entry.value("auth", ""));
    if (!decoded) continue;
    auto colon = decoded->find(':');
    if (colon == std::string::npos) continue;
    return RegistryCredentials{decoded->substr(0, colon), decoded->substr(colon + 1), file};
  }
  return std::nullopt;
}

}  // namespace

bool auth_key_matches(const std::string& key, const std::string& registry) {
  std::string a = registry_key(key), b = registry_key(registry);
  return a == b || (is_docker_hub(a) && is_docker_hub(b));
}

std::optional<RegistryCredentials> find_credentials(const std::string& registry) {
  std::vector<std::string> files;
  if (const char* f = std::getenv("REGISTRY_AUTH_FILE")) files.push_back(f);
  if (const char* d = std::getenv("XDG_RUNTIME_DIR"))
    files.push_back(std::string(d) + "/containers/auth.json");
  if (const char* d = std::getenv("DOCKER_CONFIG"))
    files.push_back(std::string(d) + "/config.json");
  if (const char* h = std::getenv("HOME")) files.push_back(std::string(h) + "/.docker/config.json");
  for (const auto& f : files) {
    if (auto c = credentials_in(f, registry)) return c;
  }
  return std::nullopt;
}

}  // namespace ferry::client

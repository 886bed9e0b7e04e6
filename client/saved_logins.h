// The logins podman and docker save (`podman login`, `docker login`), found
// for a registry: ferry's registry client and ferryctl --registry use them.
#pragma once

#include <optional>
#include <string>

namespace ferry::client {

struct RegistryCredentials {
  std::string username, password;
  std::string from;  // the file they came from, for messages
};

// True when `key`, an entry of an auth file's "auths" (HOST[:PORT],
// HOST/PATH, or a URL such as "https://index.docker.io/v1/"), holds the
// credentials of `registry` (HOST[:PORT]). Docker Hub's are found under any
// of its names: docker.io, index.docker.io (what `docker login` writes, as
// https://index.docker.io/v1/) and registry-1.docker.io.
bool auth_key_matches(const std::string& key, const std::string& registry);

// Looks for the registry (HOST[:PORT], or a URL naming it) in
// $REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers/auth.json,
// $DOCKER_CONFIG/config.json and ~/.docker/config.json, in that order.
// nullopt when none holds it; unreadable or malformed files are skipped.
std::optional<RegistryCredentials> find_credentials(const std::string& registry);

}  // namespace ferry::client

// Image references as docker and the containers tools (skopeo, podman,
// k3s's image lists) read them: distribution/reference's normalised form.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/digest.h"

namespace ferry {

inline constexpr std::string_view kDockerHub = "docker.io";

struct ImageReference {
  std::string host;  // "docker.io", "quay.io", "localhost:5000"
  std::string path;  // "library/nginx": lower-case, at least one component
  std::string tag;   // "latest" when neither a tag nor a digest was given; "" for NAME@DIGEST
  std::optional<Digest> digest;

  // HOST/PATH
  std::string name() const;
  // HOST/PATH[:TAG][@DIGEST], the normalised reference.
  std::string str() const;
  // NAMESPACE/PATH:TAG, the name the image keeps on a box: the host as one
  // component through upstream_namespace() ("127.0.0.1:5000" ->
  // "127.0.0.1_5000"). nullopt without a tag (a digest alone names no tag).
  std::optional<std::string> kept_name() const;
};

// Parses [HOST[:PORT]/]PATH[:TAG][@DIGEST] and normalises it: the first
// component is the host only if it holds '.' or ':' or is "localhost", else
// the host is docker.io; "index.docker.io" becomes docker.io; a one-component
// path on docker.io gets "library/"; no tag and no digest means tag "latest".
// Throws std::invalid_argument saying what is wrong (upper case in the path,
// an empty component, a bad tag or digest, ...), quoting `text`.
ImageReference parse_reference(std::string_view text);

// True when `text` names its registry host itself (its first component holds
// '.' or ':' or is "localhost"), so parsing it adds no default host.
bool names_registry_host(std::string_view text);

// The host to send API requests to: registry-1.docker.io for docker.io,
// else the host itself.
std::string registry_api_host(std::string_view host);

}  // namespace ferry

// Media types Ferry understands as manifests.
#pragma once

#include <string_view>

namespace ferry::media {

inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kDockerSchema1 =
    "application/vnd.docker.distribution.manifest.v1+json";
inline constexpr std::string_view kDockerSchema1Signed =
    "application/vnd.docker.distribution.manifest.v1+prettyjws";

inline bool is_index(std::string_view type) {
  return type == kOciIndex || type == kDockerManifestList;
}
inline bool is_image_manifest(std::string_view type) {
  return type == kOciManifest || type == kDockerManifest;
}
inline bool is_manifest(std::string_view type) {
  return is_index(type) || is_image_manifest(type);
}

}  // namespace ferry::media

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

// Files and folders as OCI artifacts, in ORAS's conventions (docs/payload.md).
inline constexpr std::string_view kFerryFile = "application/vnd.ferry.file.v1";  // artifactType
inline constexpr std::string_view kEmptyConfig = "application/vnd.oci.empty.v1+json";
inline constexpr std::string_view kOrasFileLayer = "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view kOrasFolderLayer = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr std::string_view kTitleAnnotation = "org.opencontainers.image.title";
inline constexpr std::string_view kOrasUnpackAnnotation = "io.deis.oras.content.unpack";
inline constexpr std::string_view kOrasDigestAnnotation = "io.deis.oras.content.digest";

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

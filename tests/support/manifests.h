// Builds OCI image manifests for tests.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/digest.h"

namespace ferry::testing {

// An OCI image manifest with one config and one layer; `extra` is spliced in
// as more top-level fields (it starts with a comma).
inline std::string oci_image_manifest(const Digest& config, size_t config_size, const Digest& layer,
                                      size_t layer_size, const std::string& extra = "") {
  return R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
         R"("config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" +
         config.str() + R"(","size":)" + std::to_string(config_size) +
         R"(},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":")" +
         layer.str() + R"(","size":)" + std::to_string(layer_size) + "}]" + extra + "}";
}

// An OCI image index listing OCI image manifests by (digest, size).
inline std::string oci_index(const std::vector<std::pair<Digest, size_t>>& children) {
  std::string out =
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[)";
  for (size_t i = 0; i < children.size(); ++i) {
    if (i) out += ',';
    out += R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
           children[i].first.str() + R"(","size":)" + std::to_string(children[i].second) + "}";
  }
  return out + "]}";
}

}  // namespace ferry::testing

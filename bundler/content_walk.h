// The walk over an image's manifests that every source shares: which blobs
// an image needs, and --platform selection from multi-arch indexes. A source
// supplies a ContentReader; layouts read files, registries make requests.
#pragma once

#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "bundler/source.h"
#include "core/manifest.h"

namespace ferry::cli {

class ContentReader {
 public:
  virtual ~ContentReader() = default;
  // How the source is named in messages: "oci:DIR", "docker://HOST/REPO".
  virtual const std::string& where() const = 0;
  // A manifest, index or config, whole, checked against its digest and size.
  virtual std::string read_small(const Descriptor& d) = 0;
  // Where pack will stream the blob from.
  virtual CollectedBlob locate(const Descriptor& d) = 0;
};

// Adds every blob the image at `top` needs to `own`, keeping only the
// wanted platforms (all when empty), and returns the image's top: `top`
// itself, the one child picked, or a new index of the picked children.
Descriptor collect_content(ContentReader& reader, const Descriptor& top,
                           const std::vector<std::string>& platforms,
                           std::map<Digest, CollectedBlob>& own);

// The platforms an image runs on: its index's entries, or its config's.
// `own` must hold the image's blobs (collect_content's result).
std::vector<std::string> image_platforms(ContentReader& reader, const Descriptor& top,
                                         const std::map<Digest, CollectedBlob>& own);

// A descriptor from index JSON (mediaType defaulting to an OCI manifest).
Descriptor descriptor_of(const nlohmann::json& j, const std::string& where);

// [[noreturn]] BundleError(kSource) "where: why".
[[noreturn]] void bad_source(const std::string& where, const std::string& why);

}  // namespace ferry::cli

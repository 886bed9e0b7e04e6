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
  // The referrers of `subject` the source holds, each with its tag when it
  // is a tag-schema one (sha256-<hex>.sig). None by default.
  virtual std::vector<Referrer> referrers_of(const Digest& subject);
};

// The cosign-style tags among `tags` that name `subject`: sha256-<hex>.sig,
// .att, .sbom (any sha256-<hex>.SUFFIX). With `index_tag`, also the OCI
// referrers tag schema's sha256-<hex> (an index listing referrers) when present.
std::vector<std::string> tag_schema_tags(const std::vector<std::string>& tags,
                                         const Digest& subject, std::string* index_tag);

// The referrers listed by an OCI index (the referrers API's answer, or the
// tag schema's index) whose subject may be `subject`; bad entries refused.
std::vector<Referrer> referrers_in_index(const std::string& index_json, const Digest& subject,
                                         const std::string& where);

// Adds every referrer of `subjects` to `own` with its content, and theirs
// in turn (a signature of an SBOM), each once; returns them in the order
// found. A referrer's bytes are read and checked, never re-serialised.
std::vector<Referrer> collect_referrers(ContentReader& reader, const std::vector<Digest>& subjects,
                                        std::map<Digest, CollectedBlob>& own);

// The manifests among `own`, to ask for their referrers.
std::vector<Digest> manifests_in(const std::map<Digest, CollectedBlob>& own);

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

// [[noreturn]] Error(BundleErrorKind::kSource) "where: why".
[[noreturn]] void bad_source(const std::string& where, const std::string& why);

}  // namespace ferry::cli

// The bundle's manifests checked against each other and against the signed
// manifest, as a push of the same manifests would be checked
// (docs/bundle-format.md, "What a reader checks"): every manifest parsed
// strictly; every blob it names is carried by the bundle or, for a delta,
// required of the box, with the size its descriptor declares; an index's
// entries are its child manifests or blobs; and the other way round, every
// blob the signed manifest carries or requires is used by one of its images.
// `ferryd import` runs it on the store before publishing, `ferry verify` on
// the manifests it kept while streaming. Each refusal is
// Error(BundleErrorKind), one line naming the image and the digest.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bundle/format.h"
#include "core/store.h"

namespace ferry::bundle {

// Where the bundle's content can be read once it has been streamed.
class ContentLookup {
 public:
  virtual ~ContentLookup() = default;
  // The size of the content with this digest, or nullopt when it is not here.
  virtual std::optional<uint64_t> size(const Digest& digest) = 0;
  // Its bytes (only asked for manifests, and only when size() had a value).
  virtual std::string read(const Digest& digest) = 0;
  // True for `ferry verify`, which has no box: content a delta requires and
  // the bundle does not carry is taken on trust, and not read.
  virtual bool base_elsewhere() const { return false; }
};

// The images (children before their index, the top manifest last), then
// their referrers, each after its subject. Manifests over max_manifest_bytes
// are refused, as a push of them would be.
std::vector<ImageToPublish> plan_images(const Manifest& m, ContentLookup& content,
                                        uint64_t max_manifest_bytes);

}  // namespace ferry::bundle

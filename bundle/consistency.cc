#include "bundle/consistency.h"

#include <set>

#include "base/error.h"
#include "bundle/error.h"
#include "core/manifest.h"
#include "core/media_types.h"
#include "core/names.h"

namespace ferry::bundle {
namespace {

[[noreturn]] void refuse(BundleErrorKind kind, const std::string& why) {
  throw Error(kind, why);
}

std::string bytes(uint64_t n) {
  return std::to_string(n) + (n == 1 ? " byte" : " bytes");
}

// An index of indexes is as deep as OCI content goes in practice; a deeper
// chain is refused rather than followed down the stack.
constexpr int kMaxIndexDepth = 8;

// Walks the bundle's manifests through the lookup, checking each as a push would,
// and remembers what they use so nothing the signed manifest lists is left over.
class Planner {
 public:
  Planner(const Manifest& m, ContentLookup& content, uint64_t max_manifest_bytes)
      : content_(content), m_(m), max_manifest_bytes_(max_manifest_bytes) {
    for (const auto& b : m.blobs) listed_.insert(b.digest);
    listed_.insert(m.requires_.begin(), m.requires_.end());
    required_.insert(m.requires_.begin(), m.requires_.end());
  }

  // The manifest `digest` and, for an index, its children first, into `image`.
  void add_manifest(ImageToPublish& image, std::set<Digest>& seen, const Digest& digest,
                    const std::string& media_type, uint64_t size, const std::string& image_name,
                    int depth = 0) {
    if (!seen.insert(digest).second) return;
    std::string what = "manifest " + digest.str() + " of " + image_name;
    if (depth > kMaxIndexDepth) {
      refuse(BundleErrorKind::kMalformed,
             what + " is nested more than " + std::to_string(kMaxIndexDepth) + " indexes deep");
    }
    auto here = content(digest, what);
    if (!here) {  // a delta's base, checked on the box it is imported into
      base_unread_ = true;
      return;
    }
    uint64_t stored = *here;
    if (stored != size) {
      refuse(BundleErrorKind::kTampered,
             what + " is " + bytes(stored) + " but its descriptor says " + bytes(size));
    }
    if (stored > max_manifest_bytes_) {
      refuse(BundleErrorKind::kMalformed, what + " is " + bytes(stored) + ", over the limit of " +
                                              bytes(max_manifest_bytes_) + " a push is held to");
    }
    ParsedManifest parsed;
    try {
      parsed = parse_manifest(content_.read(digest), media_type);
    } catch (const Error& e) {
      if (e.is_storage()) throw;
      refuse(BundleErrorKind::kMalformed, what + ": " + e.what());
    }
    for (const auto& child : parsed.manifests) {
      if (media::is_manifest(child.media_type)) {
        add_manifest(image, seen, child.digest, child.media_type, child.size, image_name,
                     depth + 1);
      } else {
        add_blob(child, "index " + digest.str(), image_name);  // an index of blobs
      }
    }
    for (const auto& blob : parsed.blobs) add_blob(blob, "manifest " + digest.str(), image_name);
    image.manifests.push_back({digest, size, std::move(parsed)});
  }

  // The other direction: everything the signed manifest carries or requires
  // is used by one of its images.
  void check_all_used() const {
    if (base_unread_) return;  // what it uses is unknown here
    for (const auto& b : m_.blobs) {
      if (!used_.count(b.digest)) {
        refuse(BundleErrorKind::kMalformed, "the signed manifest carries blob " + b.digest.str() +
                                                ", which none of its images uses");
      }
    }
    for (const auto& d : m_.requires_) {
      if (!used_.count(d)) {
        refuse(BundleErrorKind::kMalformed,
               "the signed manifest requires blob " + d.str() + ", which none of its images uses");
      }
    }
  }

 private:
  // The stored size of content an image uses; it must be listed by the
  // signed manifest (carried, or required of the box) and be here.
  // nullopt: a delta's base content, when the lookup takes it on trust.
  std::optional<uint64_t> content(const Digest& digest, const std::string& what) {
    if (!listed_.count(digest)) {
      refuse(BundleErrorKind::kTampered,
             what + " is neither carried nor required by the signed manifest");
    }
    used_.insert(digest);
    auto size = content_.size(digest);
    if (!size && content_.base_elsewhere() && required_.count(digest)) return std::nullopt;
    if (!size)
      refuse(BundleErrorKind::kIncomplete, what + " is neither in the bundle nor on this box");
    return size;
  }

  // A blob a manifest names, with the size its descriptor declares: the
  // check a push makes (400 MANIFEST_INVALID there).
  void add_blob(const Descriptor& d, const std::string& listed_by, const std::string& image_name) {
    if (d.external) return;
    std::string what = "blob " + d.digest.str() + " of " + image_name;
    auto size = content(d.digest, what);
    if (size && *size != d.size) {
      refuse(BundleErrorKind::kTampered,
             what + " is " + bytes(*size) + " but " + listed_by + " says " + bytes(d.size));
    }
  }

  ContentLookup& content_;
  const Manifest& m_;
  uint64_t max_manifest_bytes_;
  std::set<Digest> listed_, required_, used_;
  bool base_unread_ = false;
};

// The image's referrers, into its repository: untagged but for tag-schema
// ones. A referrer whose subject is neither in the bundle nor on the box is
// published all the same, as a push of it would be: the referrers API lists
// it once the subject arrives.
void plan_referrers(Planner& planner, const ImageEntry& entry, const std::string& repository,
                    std::vector<ImageToPublish>& out) {
  for (const auto& r : entry.referrers) {
    std::string what = entry.name + " (referrer " + r.digest.str() + ")";
    if (!r.tag.empty()) {
      try {
        check_tag(r.tag);
      } catch (const Error&) {
        refuse(BundleErrorKind::kMalformed, what + " has tag '" + r.tag + "', which is not valid");
      }
    }
    ImageToPublish referrer{repository, r.tag, {}};
    std::set<Digest> seen;
    planner.add_manifest(referrer, seen, r.digest, r.media_type, r.size, what);
    if (referrer.manifests.empty()) continue;  // `ferry verify`: on the box, not in the bundle
    // The signed list and the referrer itself must agree on its subject, so
    // `ferry inspect` shows the tree the box will serve. Cosign's tag-schema
    // manifests name theirs only through the tag.
    const auto& subject = referrer.manifests.back().parsed.subject;
    if (subject ? subject->digest != r.subject : r.tag.empty()) {
      refuse(BundleErrorKind::kTampered,
             what + " is listed with subject " + r.subject.str() + " but its manifest names " +
                 (subject ? subject->digest.str() : std::string("none")));
    }
    out.push_back(std::move(referrer));
  }
}

}  // namespace

std::vector<ImageToPublish> plan_images(const Manifest& m, ContentLookup& content,
                                        uint64_t max_manifest_bytes) {
  Planner planner(m, content, max_manifest_bytes);
  std::vector<ImageToPublish> images, referrers;
  for (const auto& entry : m.images) {
    auto colon = entry.name.rfind(':');
    ImageToPublish image;
    if (colon != std::string::npos) {
      image.repository = entry.name.substr(0, colon);
      image.tag = entry.name.substr(colon + 1);
    }
    try {
      check_repository_name(image.repository);
      check_tag(image.tag);
    } catch (const Error&) {
      refuse(BundleErrorKind::kMalformed,
             "image name '" + entry.name + "' is not a valid REPOSITORY:TAG for this registry");
    }
    std::set<Digest> seen;
    planner.add_manifest(image, seen, entry.digest, entry.media_type, entry.size, entry.name);
    plan_referrers(planner, entry, image.repository, referrers);
    images.push_back(std::move(image));
  }
  planner.check_all_used();
  // After every image, so each subject is published before what refers to it.
  images.insert(images.end(), std::make_move_iterator(referrers.begin()),
                std::make_move_iterator(referrers.end()));
  return images;
}

}  // namespace ferry::bundle

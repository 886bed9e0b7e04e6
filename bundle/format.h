// The Ferry bundle format, version 1 (docs/bundle-format.md): entry names,
// limits, and the bundle manifest with its canonical JSON form.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/digest.h"

namespace ferry::bundle {

inline constexpr int kVersion = 1;
inline constexpr std::string_view kManifestMediaType =
    "application/vnd.ferry.bundle.manifest.v1+json";
inline constexpr std::string_view kManifestEntry = "ferry-bundle.json";
inline constexpr std::string_view kSignatureEntry = "ferry-bundle.json.minisig";
inline constexpr std::string_view kLayoutEntry = "oci-layout";
inline constexpr std::string_view kIndexEntry = "index.json";
inline constexpr std::string_view kLayoutContent = R"({"imageLayoutVersion":"1.0.0"})";
inline constexpr uint64_t kMaxManifestBytes = 16 << 20;
inline constexpr uint64_t kMaxSignatureBytes = 64 << 10;
inline constexpr uint64_t kMaxIndexBytes = 16 << 20;

struct BlobEntry {
  Digest digest;
  uint64_t size = 0;
  std::string media_type;
};

// A referrer (OCI 1.1: a manifest whose `subject` names another, or a
// cosign-style `sha256-<hex>.sig` tag) that import publishes into its
// image's repository with the image. Its bytes are carried unchanged.
struct ReferrerEntry {
  Digest digest;
  uint64_t size = 0;
  std::string media_type;
  Digest subject;             // the manifest it refers to: the image's, a child's, or a referrer's
  std::string artifact_type;  // as the referrers API lists it; may be empty
  std::string tag;            // tag-schema referrers only (sha256-<hex>.sig); else empty
};

struct ImageEntry {
  std::string name;  // REPO:TAG at the destination
  Digest digest;     // its top manifest or index
  uint64_t size = 0;
  std::string media_type;
  std::vector<std::string> platforms;         // "os/arch[/variant]", sorted
  uint64_t content_bytes = 0;                 // all of its blobs, each counted once
  std::vector<ReferrerEntry> referrers = {};  // sorted by digest; absent from the JSON when empty
};

// The referrers tag schema's tag for a subject (OCI distribution-spec 1.1):
// "sha256-<hex>", the hex cut to 64 characters as the spec says.
std::string tag_schema_tag(const Digest& subject);

// The only tags a referrer may carry: tag_schema_tag(subject) itself, or it
// followed by a cosign-style suffix (".sig", ".att", ".sbom": [a-z0-9]{1,16}).
// Any other tag would let a bundle move an ordinary tag behind the back of
// its list of images.
bool is_referrer_tag_for(const std::string& tag, const Digest& subject);

// REPO of an image's REPO:TAG name.
std::string repository_of(const std::string& image_name);

struct Manifest {
  std::string id;
  std::string created;  // RFC 3339 UTC
  std::string channel = "default";
  uint64_t sequence = 0;
  std::string expires;  // RFC 3339 UTC; empty: never. Import refuses it after then.
  std::vector<ImageEntry> images;
  std::vector<BlobEntry> blobs;  // sorted by digest
  Digest index_digest = digest_of("");
  uint64_t index_size = 0;
  std::vector<Digest> requires_;  // delta: expected on site

  // Canonical JSON; with_id=false gives the bytes the id is computed over.
  std::string to_json(bool with_id = true) const;
  // Sets id from the content (call after everything else is filled in).
  void assign_id();
  // Parses and checks the structure; throws Error(BundleErrorKind::kMalformed).
  static Manifest parse(std::string_view json);
  std::string trusted_comment() const;
  // Referrers over all images (one carried for two images counts twice).
  size_t referrer_count() const;
};

// The bundle's index.json (entry 4): each image by its REPO:TAG in
// org.opencontainers.image.ref.name; each referrer once, tag-schema ones
// named REPO:TAG too, the others untagged with their artifactType, so OCI
// tools reading the unpacked layout (oras, skopeo) find them.
std::string layout_index(const Manifest& m);

// Throws Error(BundleErrorKind::kTampered) unless index.json names exactly the
// manifest's images and referrers (any JSON layout of the same entries).
void check_layout_index(std::string_view index_json, const Manifest& m);

// "blobs/<algorithm>/<hex>"
std::string blob_entry_name(const Digest& digest);

// The n-th volume (from 1) of a split bundle: BASE.001, BASE.002, ...
std::string volume_name(const std::string& base, size_t number);

// RFC 3339 UTC time from SOURCE_DATE_EPOCH, else now; and its Unix time.
std::pair<std::string, int64_t> creation_time();

}  // namespace ferry::bundle

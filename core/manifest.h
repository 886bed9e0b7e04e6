// Parsing and structural validation of image manifests and indexes (OCI and
// Docker schema 2). The bytes are never rewritten: what was pushed is what is
// served, so its digest stays the one the client computed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/digest.h"

namespace ferry {

struct Descriptor {
  std::string media_type;
  Digest digest;
  uint64_t size = 0;
  // Layers served from elsewhere (foreign / non-distributable, with urls)
  // are referenced but not required to be in the registry.
  bool external = false;
};

struct ParsedManifest {
  std::string media_type;
  bool is_index = false;
  std::vector<Descriptor> blobs;      // config and layers of an image manifest
  std::vector<Descriptor> manifests;  // children of an index
  std::optional<Descriptor> subject;
  // For the referrers API: artifactType, else the config's media type.
  std::optional<std::string> artifact_type;
  // The manifest's "annotations" object as compact JSON, when present.
  std::optional<std::string> annotations;
};

// The most JSON values (objects, arrays, scalars) one manifest may hold:
// about 15,000 descriptors with annotations, far beyond any real image or
// index, and it bounds what parsing one takes to a few MiB of memory (a
// 4 MiB body of `[0,0,...]` would otherwise take about 40 MiB).
inline constexpr size_t kMaxManifestValues = 100000;

// content_type is the request's Content-Type (may be empty). Throws
// MANIFEST_INVALID naming the offending field on any violation (strict JSON:
// core/json_strict.h, with at most kMaxManifestValues values).
ParsedManifest parse_manifest(std::string_view bytes, std::string_view content_type);

}  // namespace ferry

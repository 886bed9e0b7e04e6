// What a manifest names, checked against the store the way a push checks
// it, for a push (store_manifests.cc) and an import (store_import.cc) alike:
// each blob present with the size its descriptor declares, and each entry
// of an index either a manifest of the repository or a blob (an index of
// blobs, as `docker buildx --cache-to type=registry` writes; Distribution
// accepts it too), again with its declared size.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/manifest.h"
#include "core/metadata.h"

namespace ferry {

// Where a blob must be for a manifest to name it.
enum class BlobScope {
  kRepository,  // linked into the repository (a push: the client pushed or mounted it)
  kStore,       // anywhere in the store (an import links it as it publishes)
};

struct ManifestReferences {
  std::vector<std::string> blobs;      // kind 0: blobs, an index's blob entries included
  std::vector<std::string> manifests;  // kind 1: child manifests of an index
};

// Throws MANIFEST_BLOB_UNKNOWN for an absent blob or child, and
// MANIFEST_INVALID for one whose size differs from its descriptor; the
// message names the digest, both sizes, and `repo`.
ManifestReferences resolve_references(Metadata& meta, int64_t repo_id, std::string_view repo,
                                      const ParsedManifest& parsed, BlobScope scope);

}  // namespace ferry

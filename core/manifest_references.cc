#include "core/manifest_references.h"

#include "base/error.h"

namespace ferry {
namespace {

std::optional<uint64_t> blob_size(Metadata& meta, int64_t repo_id, const Digest& digest,
                                  BlobScope scope) {
  return scope == BlobScope::kRepository ? meta.linked_blob_size(repo_id, digest.str())
                                         : meta.blob_size(digest.str());
}

void check_size(const Descriptor& d, uint64_t actual, std::string_view what,
                std::string_view listed_by) {
  if (actual == d.size) return;
  throw Error(ErrorCode::kManifestInvalid, "invalid manifest: " + std::string(what) + " " +
                                               d.digest.str() + " is " + std::to_string(actual) +
                                               " bytes but the " + std::string(listed_by) +
                                               " says " + std::to_string(d.size));
}

}  // namespace

ManifestReferences resolve_references(Metadata& meta, int64_t repo_id, std::string_view repo,
                                      const ParsedManifest& parsed, BlobScope scope) {
  ManifestReferences out;
  const std::string where = "repository '" + std::string(repo) + "'";
  for (const auto& d : parsed.blobs) {
    if (d.external) continue;
    auto size = blob_size(meta, repo_id, d.digest, scope);
    if (!size) {
      throw Error(
          ErrorCode::kManifestBlobUnknown,
          "blob " + d.digest.str() + " is not in " + where + "; push the blob before the manifest");
    }
    check_size(d, *size, "blob", "manifest");
    out.blobs.push_back(d.digest.str());
  }
  for (const auto& d : parsed.manifests) {
    if (auto child = meta.find_manifest(repo_id, d.digest.str())) {
      check_size(d, child->size, "child", "index");
      out.manifests.push_back(d.digest.str());
    } else if (auto size = blob_size(meta, repo_id, d.digest, scope)) {
      check_size(d, *size, "blob", "index");
      out.blobs.push_back(d.digest.str());
    } else {
      throw Error(ErrorCode::kManifestBlobUnknown,
                  "manifest " + d.digest.str() +
                      " listed by the index is neither a manifest nor a " + "blob of " + where +
                      "; push it before the index");
    }
  }
  return out;
}

}  // namespace ferry

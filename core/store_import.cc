// The store's side of a bundle import: content arrives unlinked and
// invisible, then one transaction links it into repositories and moves the
// tags, so a pull sees the old targets or the new ones and nothing between.
#include "base/error.h"
#include "core/file_util.h"
#include "core/manifest_references.h"
#include "core/names.h"
#include "core/store.h"

namespace ferry {

bool Store::has_content(const Digest& digest) {
  if (!pool_.acquire()->blob_size(digest.str())) return false;
  return blobs_.contains(digest);
}

std::optional<uint64_t> Store::content_size(const Digest& digest) {
  auto size = pool_.acquire()->blob_size(digest.str());
  if (!size || !blobs_.contains(digest)) return std::nullopt;
  return size;
}

BlobWriter Store::begin_import_blob(DigestAlgorithm algorithm) {
  return BlobWriter(blobs_.temp_path("import"), algorithm, {.hash = false, .drop_behind = true});
}

void Store::clear_import_staging() {
  blobs_.clear_temp("import");
}

void Store::add_unlinked_blob(BlobWriter& writer, const Digest& expected) {
  if (writer.hashing() && writer.digest() != expected) {
    throw Error(ErrorCode::kDigestInvalid,
                "content has digest " + writer.digest().str() + ", not " + expected.str());
  }
  writer.finish();
  // File first, then the row: a crash between leaves an unreferenced file.
  blobs_.publish(writer.path(), expected);
  auto meta = pool_.acquire();
  sql::Transaction tx(meta->db());
  meta->insert_blob(expected.str(), writer.size());
  meta->clear_damaged(expected.str());
  tx.commit();
}

std::string Store::read_content(const Digest& digest, uint64_t max_bytes) {
  return read_small_file(blobs_.path_for(digest), max_bytes);
}

void Store::publish_images(const std::vector<ImageToPublish>& images,
                           const std::function<void(sql::Transaction&)>& also,
                           const TagMoveCheck& before_move, const std::string& updated_by) {
  auto meta = pool_.acquire();
  sql::Transaction tx(meta->db());
  for (const auto& image : images) {
    check_repository_name(image.repository);
    if (!image.tag.empty()) check_tag(image.tag);
    int64_t repo_id = meta->ensure_repository(image.repository);
    for (const auto& m : image.manifests) {
      // The checks a push makes, with the blobs anywhere in the store: the
      // import links them here.
      ManifestReferences refs =
          resolve_references(*meta, repo_id, image.repository, m.parsed, BlobScope::kStore);
      for (const auto& d : refs.blobs) meta->link_blob(repo_id, d);
      NewManifest row{
          m.digest.str(),
          m.parsed.media_type,
          m.size,
          m.parsed.artifact_type,
          m.parsed.subject ? std::optional(m.parsed.subject->digest.str()) : std::nullopt,
          m.parsed.annotations};
      meta->insert_blob(row.digest, row.size);
      meta->insert_manifest(repo_id, row, refs.blobs, refs.manifests);
    }
    if (image.tag.empty()) continue;  // an untagged referrer
    std::string target = image.manifests.back().digest.str();
    if (before_move) {
      auto current = meta->find_tagged_manifest(repo_id, image.tag);
      if (current && current->digest != target) {
        before_move(image.repository, image.tag, current->digest, target);
      }
    }
    meta->set_tag(repo_id, image.tag, target, updated_by);
  }
  if (also) also(tx);
  tx.commit();
}

}  // namespace ferry

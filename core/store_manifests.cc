// Manifests: stored as content files like blobs, described in the manifests
// table, and reachable by tags. A PUT becomes visible in one transaction
// that first checks everything it references is in the repository.
#include "base/error.h"
#include "core/manifest.h"
#include "core/manifest_references.h"
#include "core/names.h"
#include "core/store.h"

namespace ferry {
namespace {

// A reference is a digest when it has a ':' (tags cannot), else a tag. Only
// a PUT checks the tag grammar: a lookup by a tag that cannot exist simply
// finds nothing (404), which is what clients and the conformance suite expect.
std::optional<Digest> reference_digest(std::string_view reference) {
  if (reference.find(':') == std::string_view::npos) return std::nullopt;
  return Digest::parse_or_throw(reference);
}

[[noreturn]] void unknown_manifest(std::string_view repo, std::string_view reference) {
  throw Error(ErrorCode::kManifestUnknown, "manifest '" + std::string(reference.substr(0, 200)) +
                                               "' is not in repository '" + std::string(repo) +
                                               "'");
}

}  // namespace

ManifestInfo Store::resolve_manifest(std::string_view repo, std::string_view reference,
                                     bool with_content) {
  auto digest = reference_digest(reference);
  std::optional<ManifestRow> row;
  std::optional<Damage> damage;
  {
    auto meta = pool_.acquire();
    int64_t id = require_repository(*meta, repo, ErrorCode::kNameUnknown);
    row = digest ? meta->find_manifest(id, digest->str())
                 : meta->find_tagged_manifest(id, std::string(reference));
    if (row) damage = meta->damage_of(row->digest);
  }
  if (!row) unknown_manifest(repo, reference);
  if (damage) refuse_damaged("manifest", row->digest, *damage, ErrorCode::kManifestUnknown);
  ManifestInfo info{row->digest, row->media_type, row->size, {}};
  if (with_content) {
    info.fd = blobs_.open(Digest::parse_or_throw(row->digest));
    if (!info.fd) {
      throw Error(
          ErrorCode::kManifestUnknown,
          "manifest " + row->digest + " is recorded but its file is missing; push it again");
    }
  }
  return info;
}

PutManifestResult Store::put_manifest(std::string_view repo, std::string_view reference,
                                      std::string_view content_type, std::string_view bytes,
                                      const TagMoveCheck& before_move,
                                      const std::string& updated_by) {
  check_repository_name(repo);
  auto by_digest = reference_digest(reference);
  if (!by_digest) check_tag(reference);
  if (bytes.size() > options_.max_manifest_bytes) {
    throw Error(ErrorCode::kTooLarge, "manifest is " + std::to_string(bytes.size()) +
                                          " bytes, over the limit of " +
                                          std::to_string(options_.max_manifest_bytes));
  }
  ParsedManifest parsed = parse_manifest(bytes, content_type);
  Digest digest = digest_of(bytes, by_digest ? by_digest->algorithm() : DigestAlgorithm::kSha256);
  if (by_digest && *by_digest != digest) {
    throw Error(ErrorCode::kDigestInvalid, "manifest body has digest " + digest.str() +
                                               ", not the " + by_digest->str() + " in the URL");
  }

  auto guard = content_lock(false);
  blobs_.put_bytes(digest, bytes);  // durable before any row names it

  auto meta = pool_.acquire();
  sql::Transaction tx(meta->db());
  int64_t repo_id = meta->ensure_repository(std::string(repo));
  ManifestReferences refs =
      resolve_references(*meta, repo_id, repo, parsed, BlobScope::kRepository);
  NewManifest row{digest.str(),
                  parsed.media_type,
                  bytes.size(),
                  parsed.artifact_type,
                  parsed.subject ? std::optional(parsed.subject->digest.str()) : std::nullopt,
                  parsed.annotations};
  meta->insert_blob(row.digest, row.size);
  meta->clear_damaged(row.digest);
  meta->insert_manifest(repo_id, row, refs.blobs, refs.manifests);
  if (!by_digest) {
    std::string tag(reference);
    auto current = meta->find_tagged_manifest(repo_id, tag);
    if (before_move && current && current->digest != row.digest) {
      before_move(std::string(repo), tag, current->digest, row.digest);
    }
    meta->set_tag(repo_id, tag, row.digest, updated_by);
  }
  tx.commit();

  PutManifestResult result{digest, std::nullopt};
  if (parsed.subject) result.subject = parsed.subject->digest;
  return result;
}

void Store::delete_manifest(std::string_view repo, std::string_view reference) {
  auto digest = reference_digest(reference);
  auto meta = pool_.acquire();
  sql::Transaction tx(meta->db());
  int64_t id = require_repository(*meta, repo, ErrorCode::kNameUnknown);
  if (!digest) {
    if (!meta->delete_tag(id, std::string(reference))) unknown_manifest(repo, reference);
    tx.commit();
    return;
  }
  if (!meta->find_manifest(id, digest->str())) unknown_manifest(repo, reference);
  if (auto index = meta->index_using_manifest(id, digest->str())) {
    throw Error(ErrorCode::kStillReferenced, "manifest " + digest->str() + " is listed by index " +
                                                 *index + "; delete the index first");
  }
  meta->delete_manifest(id, digest->str());
  tx.commit();
}

}  // namespace ferry

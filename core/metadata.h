// The SQLite side of the store: repositories, blob links, manifests, the
// references between them, tags, upload sessions and damaged content (the
// "registry" module's tables, registry_schema()). Knows nothing about files
// or HTTP. A Metadata works on one leased connection, used by one thread at
// a time (see MetadataPool).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/sql_pool.h"
#include "core/sqlite.h"

namespace ferry {

struct ManifestRow {
  std::string digest;
  std::string media_type;
  uint64_t size = 0;
};

struct ReferrerRow {
  std::string digest;
  std::string media_type;
  uint64_t size = 0;
  std::optional<std::string> artifact_type;
  std::optional<std::string> annotations;  // JSON object text
};

// A tag and the manifest it points at.
struct TaggedManifest {
  std::string repository;
  std::string tag;
  std::string digest;
};

struct NewManifest {
  std::string digest;
  std::string media_type;
  uint64_t size = 0;
  std::optional<std::string> artifact_type;
  std::optional<std::string> subject;
  std::optional<std::string> annotations;
};

// Why stored content is no longer served (scrub found it damaged).
struct Damage {
  int64_t found_at = 0;
  std::string reason;
};

// The registry tables' schema steps, for sql::Pool::migrate.
const sql::Schema& registry_schema();

class Metadata {
 public:
  explicit Metadata(sql::Database& db) : db_(db) {}
  sql::Database& db() { return db_; }

  std::optional<int64_t> find_repository(const std::string& name);
  int64_t ensure_repository(const std::string& name);

  void insert_blob(const std::string& digest, uint64_t size);
  std::optional<uint64_t> blob_size(const std::string& digest);
  std::optional<uint64_t> linked_blob_size(int64_t repo, const std::string& digest);
  // Damaged content is left out of blob_size and linked_blob_size, so a HEAD
  // says it is absent and the client pushes it again.
  void mark_damaged(const std::string& digest, const std::string& reason);
  void clear_damaged(const std::string& digest);
  std::optional<Damage> damage_of(const std::string& digest);
  void link_blob(int64_t repo, const std::string& digest);
  bool unlink_blob(int64_t repo, const std::string& digest);
  // A manifest of the repository that needs this blob, if any.
  std::optional<std::string> manifest_using_blob(int64_t repo, const std::string& digest);

  std::optional<ManifestRow> find_manifest(int64_t repo, const std::string& digest);
  std::optional<ManifestRow> find_tagged_manifest(int64_t repo, const std::string& tag);
  // Inserts the manifest with its references; existing rows are kept.
  void insert_manifest(int64_t repo, const NewManifest& m,
                       const std::vector<std::string>& blob_refs,
                       const std::vector<std::string>& manifest_refs);
  // An index of the repository that lists this manifest, if any.
  std::optional<std::string> index_using_manifest(int64_t repo, const std::string& digest);
  // Deletes the manifest, its references and every tag pointing at it.
  bool delete_manifest(int64_t repo, const std::string& digest);

  // updated_by: who moves the tag (a user, "anonymous", "import <bundle id>";
  // empty: unknown, stored as NULL).
  void set_tag(int64_t repo, const std::string& tag, const std::string& digest,
               const std::string& updated_by = "");
  bool delete_tag(int64_t repo, const std::string& tag);
  std::vector<std::string> list_tags(int64_t repo, const std::string& after, int64_t limit);
  // Repositories holding at least one manifest, in order, after `after`.
  std::vector<std::string> list_repositories(const std::string& after, int64_t limit);
  std::vector<ReferrerRow> list_referrers(int64_t repo, const std::string& subject,
                                          const std::optional<std::string>& artifact_type);
  // Every tag whose manifest has this artifactType, by repository and tag.
  std::vector<TaggedManifest> tagged_artifacts(const std::string& artifact_type);

  void insert_upload(const std::string& id, int64_t repo);
  std::optional<int64_t> upload_repository(const std::string& id);
  void touch_upload(const std::string& id);
  bool delete_upload(const std::string& id);
  std::vector<std::string> uploads_idle_since(int64_t before_unix);
  // Every open upload session: its id and its repository's name.
  std::vector<std::pair<std::string, std::string>> open_uploads();

 private:
  // Prepared on first use and cached with the connection.
  sql::Statement& stmt(const char* sql);

  sql::Database& db_;
};

// Leases connections of the data dir's pool as Metadata.
class MetadataPool {
 public:
  explicit MetadataPool(sql::Pool& pool) : pool_(pool) {}

  class Lease {
   public:
    explicit Lease(sql::Pool::Lease db) : db_(std::move(db)), m_(*db_) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    Metadata* operator->() { return &m_; }
    Metadata& operator*() { return m_; }

   private:
    sql::Pool::Lease db_;
    Metadata m_;
  };

  Lease acquire();

 private:
  sql::Pool& pool_;
};

}  // namespace ferry

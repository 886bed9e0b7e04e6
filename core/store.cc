#include "core/store.h"

#include <sys/statvfs.h>

#include <cerrno>

#include "base/checked.h"
#include "base/error.h"
#include "core/file_util.h"
#include "core/names.h"
#include "core/units.h"

namespace ferry {

Store::Store(StoreOptions options)
    : options_(std::move(options)),
      blobs_(options_.data_dir),
      database_(options_.data_dir + "/ferry.db") {
  database_.migrate(registry_schema());
  // Staging files are unreachable by construction; whatever a crash left is
  // garbage. tmp/ only ever holds in-flight writes, so this stays small.
  if (options_.clear_staging) blobs_.clear_temp();
  restore_uploads();
}

Store::~Store() = default;

std::string Store::import_lock_path() const {
  return options_.data_dir + "/import.lock";
}

void Store::for_each_held_digest(const std::function<void(const std::string& digest)>& fn) {
  with_connection([&](sql::Database& db) {
    auto s = db.prepare(
        "SELECT digest FROM repository_blobs UNION SELECT digest FROM manifests "
        "EXCEPT SELECT digest FROM damaged ORDER BY 1");
    while (s.step()) fn(s.column_text(0));
  });
}

bool Store::responsive() {
  return with_connection([](sql::Database& db) {
    return db.cached("SELECT count(*) FROM repositories").one_int().has_value();
  });
}

StoreStats Store::stats() {
  return with_connection([](sql::Database& db) {
    auto s = db.prepare(
        // A repository counts once it holds a manifest, as /v2/_catalog
        // lists it: blobs pushed before the manifest make none yet.
        "SELECT (SELECT count(*) FROM repositories r "
        "        WHERE EXISTS (SELECT 1 FROM manifests m WHERE m.repository_id = r.id)), "
        "(SELECT count(*) FROM tags), "
        "(SELECT count(*) FROM manifests), (SELECT count(*) FROM blobs), "
        "(SELECT coalesce(sum(size), 0) FROM blobs), (SELECT count(*) FROM uploads), "
        "(SELECT count(*) FROM damaged)");
    s.step();
    auto at = [&](int i) { return static_cast<uint64_t>(s.column_int(i)); };
    return StoreStats{at(0), at(1), at(2), at(3), at(4), at(5), at(6)};
  });
}

std::vector<NamespaceUsage> Store::namespace_usage() {
  // Read before the query: a commit that lands during it makes the next
  // call compute again rather than keep a stale figure.
  int64_t version = database_.data_version();
  {
    std::lock_guard lock(usage_mu_);
    if (usage_ && usage_->first == version) return usage_->second;
  }
  auto usage = with_connection([](sql::Database& db) {
    auto s = db.prepare(R"sql(
WITH repo_ns AS (
  SELECT id, CASE WHEN instr(name, '/') > 0 THEN substr(name, 1, instr(name, '/') - 1)
                  ELSE name END AS ns FROM repositories),
content AS (
  SELECT r.ns, rb.digest FROM repository_blobs rb JOIN repo_ns r ON r.id = rb.repository_id
  UNION SELECT r.ns, m.digest FROM manifests m JOIN repo_ns r ON r.id = m.repository_id)
SELECT r.ns, sum(EXISTS (SELECT 1 FROM manifests m WHERE m.repository_id = r.id)),
       (SELECT count(*) FROM tags t JOIN repo_ns x ON x.id = t.repository_id WHERE x.ns = r.ns),
       (SELECT coalesce(sum(b.size), 0) FROM content c JOIN blobs b ON b.digest = c.digest
         WHERE c.ns = r.ns)
  FROM repo_ns r GROUP BY r.ns ORDER BY r.ns)sql");  // repositories: as stats() counts them
    std::vector<NamespaceUsage> out;
    while (s.step()) {
      out.push_back({s.column_text(0), uint64_t(s.column_int(1)), uint64_t(s.column_int(2)),
                     uint64_t(s.column_int(3))});
    }
    return out;
  });
  std::lock_guard lock(usage_mu_);
  usage_.emplace(version, usage);
  return usage;
}

NamespaceUsage Store::prefix_usage(const std::string& prefix) {
  NamespaceUsage usage{prefix, 0, 0, namespace_bytes(prefix)};
  with_connection([&](sql::Database& db) {
    auto s = db.prepare(R"sql(
WITH repos AS (SELECT id FROM repositories WHERE name = ?1 OR substr(name, 1, length(?1) + 1) = ?1 || '/')
SELECT (SELECT count(*) FROM repos r WHERE EXISTS (SELECT 1 FROM manifests m WHERE m.repository_id = r.id)),
       (SELECT count(*) FROM tags WHERE repository_id IN (SELECT id FROM repos)))sql");
    s.bind(prefix);
    if (s.step()) {
      usage.repositories = static_cast<uint64_t>(s.column_int(0));
      usage.tags = static_cast<uint64_t>(s.column_int(1));
    }
  });
  return usage;
}

uint64_t Store::namespace_bytes(std::string_view name_space) {
  return with_connection([&](sql::Database& db) {
    auto s = db.prepare(R"sql(
WITH repos AS (SELECT id FROM repositories WHERE name = ?1 OR substr(name, 1, length(?1) + 1) = ?1 || '/'),
content AS (
  SELECT rb.digest FROM repository_blobs rb WHERE rb.repository_id IN (SELECT id FROM repos)
  UNION SELECT m.digest FROM manifests m WHERE m.repository_id IN (SELECT id FROM repos))
SELECT coalesce(sum(b.size), 0) FROM content c JOIN blobs b ON b.digest = c.digest)sql");
    s.bind(name_space);
    return static_cast<uint64_t>(s.one_int().value_or(0));
  });
}

uint64_t Store::namespace_missing(std::string_view name_space,
                                  const std::vector<std::pair<Digest, uint64_t>>& content) {
  return with_connection([&](sql::Database& db) {
    auto held = db.prepare(R"sql(
WITH repos AS (SELECT id FROM repositories WHERE name = ?1 OR substr(name, 1, length(?1) + 1) = ?1 || '/')
SELECT EXISTS (SELECT 1 FROM repository_blobs WHERE digest = ?2 AND repository_id IN (SELECT id FROM repos))
    OR EXISTS (SELECT 1 FROM manifests WHERE digest = ?2 AND repository_id IN (SELECT id FROM repos)))sql");
    uint64_t missing = 0;
    for (const auto& [digest, size] : content) {
      // Saturates: the sizes may be a bundle's word, and more than fits is over any quota.
      if (held.bind(name_space, digest.str()).one_int().value_or(0) == 0 && !add_to(missing, size))
        missing = UINT64_MAX;
    }
    return missing;
  });
}

uint64_t Store::free_bytes() const {
  struct statvfs fs {};
  if (::statvfs(options_.data_dir.c_str(), &fs) != 0) {
    throw_errno("cannot read free space of " + options_.data_dir, errno);
  }
  return uint64_t(fs.f_bavail) * fs.f_frsize;
}

uint64_t Store::total_bytes() const {
  struct statvfs fs {};
  if (::statvfs(options_.data_dir.c_str(), &fs) != 0) {
    throw_errno("cannot read the size of " + options_.data_dir, errno);
  }
  return uint64_t(fs.f_blocks) * fs.f_frsize;
}

std::vector<DamagedContent> Store::damaged(int64_t limit) {
  return with_connection([limit](sql::Database& db) {
    auto s = db.prepare(
        "SELECT digest, found_at, reason FROM damaged ORDER BY found_at DESC, digest LIMIT ?");
    s.bind(limit);
    std::vector<DamagedContent> out;
    while (s.step()) out.push_back({s.column_text(0), s.column_int(1), s.column_text(2)});
    return out;
  });
}

void Store::require_free_space() const {
  if (options_.min_free == 0) return;
  uint64_t free = free_bytes();
  if (free >= options_.min_free) return;
  throw Error(ErrorCode::kInsufficientStorage,
              "only " + format_size(free) + " is free on " + options_.data_dir +
                  ", under the floor of " + format_size(options_.min_free) +
                  " (storage.min_free): pushes and imports are refused until space is freed; "
                  "delete images and run ferryctl gc");
}

FileLock Store::content_lock(bool exclusive) const {
  return FileLock::acquire(options_.data_dir + "/content.lock", !exclusive);
}

void Store::refuse_damaged(const char* what, const std::string& digest, const Damage& damage,
                           ErrorCode code) {
  throw Error(code, std::string(what) + " " + digest + " failed an integrity check (" +
                        damage.reason + ", found " + format_utc(damage.found_at) +
                        ") and is no longer served; push or import it again to repair it");
}

int64_t Store::require_repository(Metadata& meta, std::string_view repo, ErrorCode unknown_code) {
  check_repository_name(repo);
  auto id = meta.find_repository(std::string(repo));
  if (!id) {
    throw Error(unknown_code,
                "repository '" + std::string(repo) + "' is not known to this registry");
  }
  return *id;
}

std::optional<uint64_t> Store::blob_size(std::string_view repo, const Digest& digest) {
  check_repository_name(repo);
  auto meta = pool_.acquire();
  auto id = meta->find_repository(std::string(repo));
  if (!id) return std::nullopt;
  return meta->linked_blob_size(*id, digest.str());
}

OpenedBlob Store::open_blob(std::string_view repo, const Digest& digest) {
  auto size = blob_size(repo, digest);
  if (!size) {
    if (auto damage = pool_.acquire()->damage_of(digest.str()))
      refuse_damaged("blob", digest.str(), *damage, ErrorCode::kBlobUnknown);
    throw Error(ErrorCode::kBlobUnknown,
                "blob " + digest.str() + " is not in repository '" + std::string(repo) + "'");
  }
  UniqueFd fd = blobs_.open(digest);
  if (!fd) {
    throw Error(ErrorCode::kBlobUnknown,
                "blob " + digest.str() + " is recorded but its file is missing; push it again");
  }
  return OpenedBlob{std::move(fd), *size};
}

void Store::delete_blob(std::string_view repo, const Digest& digest) {
  auto meta = pool_.acquire();
  sql::Transaction tx(meta->db());
  int64_t id = require_repository(*meta, repo, ErrorCode::kBlobUnknown);
  if (auto user = meta->manifest_using_blob(id, digest.str())) {
    throw Error(ErrorCode::kStillReferenced, "blob " + digest.str() + " is used by manifest " +
                                                 *user + "; delete that manifest first");
  }
  if (!meta->unlink_blob(id, digest.str())) {
    throw Error(ErrorCode::kBlobUnknown,
                "blob " + digest.str() + " is not in repository '" + std::string(repo) + "'");
  }
  tx.commit();
}

bool Store::mount_blob(std::string_view repo, const Digest& digest,
                       const std::optional<std::string>& from) {
  check_repository_name(repo);
  if (from) check_repository_name(*from);
  auto meta = pool_.acquire();
  sql::Transaction tx(meta->db());
  std::optional<uint64_t> size;
  if (from) {
    if (auto from_id = meta->find_repository(*from))
      size = meta->linked_blob_size(*from_id, digest.str());
  } else {
    size = meta->blob_size(digest.str());
  }
  if (!size || !blobs_.contains(digest)) return false;
  meta->link_blob(meta->ensure_repository(std::string(repo)), digest.str());
  tx.commit();
  return true;
}

BlobWriter Store::begin_blob(DigestAlgorithm algorithm) {
  return BlobWriter(blobs_.temp_path(), algorithm);
}

void Store::commit_blob(std::string_view repo, BlobWriter& writer, const Digest& expected) {
  check_repository_name(repo);
  Digest actual = writer.digest();
  if (actual != expected) {
    throw Error(ErrorCode::kDigestInvalid, "uploaded content has digest " + actual.str() +
                                               ", not the " + expected.str() + " the client sent");
  }
  writer.finish();
  int64_t repo_id = pool_.acquire()->ensure_repository(std::string(repo));
  publish_blob(repo_id, writer.path(), expected, writer.size(), nullptr);
}

void Store::publish_blob(int64_t repo_id, const std::string& staged_path, const Digest& digest,
                         uint64_t size, const std::string* upload_to_close) {
  // File first, then the row that makes it visible: a crash in between
  // leaves an unreferenced file, never a row without its file.
  auto guard = content_lock(false);
  blobs_.publish(staged_path, digest);
  auto meta = pool_.acquire();
  sql::Transaction tx(meta->db());
  meta->insert_blob(digest.str(), size);
  meta->clear_damaged(digest.str());  // a damaged copy is repaired by this one
  meta->link_blob(repo_id, digest.str());
  if (upload_to_close) meta->delete_upload(*upload_to_close);
  tx.commit();
}

std::vector<std::string> Store::list_tags(std::string_view repo, const std::string& after,
                                          int64_t limit) {
  auto meta = pool_.acquire();
  int64_t id = require_repository(*meta, repo, ErrorCode::kNameUnknown);
  return meta->list_tags(id, after, limit);
}

std::vector<std::string> Store::tags_of(std::string_view repo, const Digest& digest) {
  return with_connection([&](sql::Database& db) {
    auto s = db.prepare(
        "SELECT t.name FROM tags t JOIN repositories r ON r.id = t.repository_id "
        "WHERE r.name = ? AND t.digest = ? ORDER BY t.name");
    s.bind(repo, digest.str());
    std::vector<std::string> out;
    while (s.step()) out.push_back(s.column_text(0));
    return out;
  });
}

std::vector<std::string> Store::list_repositories(const std::string& after, int64_t limit) {
  return pool_.acquire()->list_repositories(after, limit);
}

std::vector<ReferrerRow> Store::list_referrers(std::string_view repo, const Digest& subject,
                                               const std::optional<std::string>& artifact_type) {
  check_repository_name(repo);
  auto meta = pool_.acquire();
  auto id = meta->find_repository(std::string(repo));
  if (!id) return {};
  return meta->list_referrers(*id, subject.str(), artifact_type);
}

std::vector<TaggedManifest> Store::tagged_artifacts(const std::string& artifact_type) {
  return pool_.acquire()->tagged_artifacts(artifact_type);
}

}  // namespace ferry

// Online mark-and-sweep. Everything is decided and deleted in one SQLite
// transaction, then the files of content no row names any more are unlinked.
// Why it is safe beside pushes, pulls and imports:
// - content younger than the grace period is never collected, so blobs and
//   child manifests of a push still in progress survive;
// - the sweep holds the content lock exclusively, and every publish (file,
//   then row) holds it shared, so a publish never finds a file GC is about to
//   unlink, nor GC a file whose row is about to be written;
// - it holds the import lock, so content an import found present stays until
//   the import publishes;
// - a manifest PUT and GC's transaction are serialised by SQLite: either the
//   PUT's references exist when GC marks, or the PUT sees the links gone and
//   is refused with MANIFEST_BLOB_UNKNOWN, never half-applied.
// A kill -9 after the commit leaves files without rows; the next run removes
// them (the orphan walk below).
#include <fnmatch.h>
#include <sys/stat.h>

#include <ctime>
#include <map>

#include "base/dir_entries.h"
#include "core/file_util.h"
#include "core/store.h"

namespace ferry {

bool RetentionRule::covers(const std::string& repository) const {
  if (name_space == "*") return true;
  return repository == name_space || repository.rfind(name_space + "/", 0) == 0;
}

namespace {

// Every manifest a tag reaches, through index children and referrers (a
// signature or SBOM stays with what it refers to), plus every manifest pushed
// within the grace period and what those reach.
constexpr const char* kMarkSql = R"sql(
WITH RECURSIVE kept(repository_id, digest) AS (
  SELECT repository_id, digest FROM tags
  UNION SELECT repository_id, digest FROM manifests WHERE created_at > ?1
  UNION SELECT r.repository_id, r.target_digest FROM manifest_references r
        JOIN kept k ON r.repository_id = k.repository_id AND r.manifest_digest = k.digest
        WHERE r.kind = 1
  UNION SELECT m.repository_id, m.digest FROM manifests m
        JOIN kept k ON m.repository_id = k.repository_id AND m.subject = k.digest
)
INSERT INTO gc_kept(repository_id, digest) SELECT repository_id, digest FROM kept
)sql";

struct TagRow {
  int64_t repository_id;
  std::string repository, name;
  int64_t updated_at;
};

bool matches_any(const std::vector<std::string>& patterns, const std::string& tag) {
  for (const auto& p : patterns) {
    if (::fnmatch(p.c_str(), tag.c_str(), 0) == 0) return true;
  }
  return false;
}

// The tags retention drops: in each covered repository, every tag that no
// keep rule of the first rule covering it protects, and that is not
// protected otherwise (an immutable tag).
std::vector<TagRow> tags_to_drop(sql::Database& db, const GcOptions& options, int64_t now) {
  std::vector<TagRow> drop;
  const std::vector<RetentionRule>& rules = options.retention;
  if (rules.empty()) return drop;
  auto s = db.prepare(
      "SELECT t.repository_id, r.name, t.name, t.updated_at FROM tags t "
      "JOIN repositories r ON r.id = t.repository_id "
      "ORDER BY t.repository_id, t.updated_at DESC, t.name");
  int64_t repo = -1;
  uint64_t rank = 0;
  const RetentionRule* rule = nullptr;
  while (s.step()) {
    TagRow t{s.column_int(0), s.column_text(1), s.column_text(2), s.column_int(3)};
    if (t.repository_id != repo) {
      repo = t.repository_id;
      rank = 0;
      rule = nullptr;
      for (const auto& r : rules) {
        if (r.covers(t.repository)) {
          rule = &r;
          break;
        }
      }
    }
    uint64_t position = rank++;
    if (!rule) continue;
    bool keep = (rule->keep_last && position < *rule->keep_last) ||
                (rule->keep_newer_than && now - t.updated_at < rule->keep_newer_than->count()) ||
                matches_any(rule->keep_matching, t.name) ||
                (options.protected_tag && options.protected_tag(t.repository, t.name));
    if (!keep) drop.push_back(std::move(t));
  }
  return drop;
}

// Content files that no blobs row names: left by a kill -9 between a
// publish's rename and its row, or between GC's commit and its unlinks.
// Runs under the exclusive content lock, so no publish is half done.
void sweep_orphans(sql::Database& db, const BlobStore& blobs, bool dry_run, GcReport& report) {
  auto known = db.prepare("SELECT 1 FROM blobs WHERE digest = ?");
  for (const char* algorithm : {"sha256", "sha512"}) {
    std::string top = blobs.root() + "/blobs/" + algorithm;
    for (const DirEntry& shard : list_directory(top)) {
      if (shard.name[0] == '.') continue;
      std::string dir = top + "/" + shard.name;
      for (const DirEntry& f : list_directory(dir)) {
        if (f.name[0] == '.') continue;
        auto digest = Digest::parse(std::string(algorithm) + ":" + f.name);
        if (digest && known.bind(digest->str()).one_int()) continue;
        std::string path = dir + "/" + f.name;
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        ++report.orphan_files;
        report.bytes_freed += static_cast<uint64_t>(st.st_size);
        if (!dry_run) remove_file(path);
      }
    }
  }
}

// Quarantined copies of damaged content that has since been repaired (stored
// again) or collected: their post-mortem value is gone.
void sweep_quarantine(sql::Database& db, const BlobStore& blobs, bool dry_run, GcReport& report) {
  auto damaged = db.prepare("SELECT 1 FROM damaged WHERE digest = ?");
  std::string dir = blobs.quarantine_dir();
  for (const DirEntry& f : list_directory(dir)) {
    const std::string& name = f.name;
    auto dash = name.find('-');
    if (name[0] == '.' || dash == std::string::npos) continue;
    auto digest = Digest::parse(name.substr(0, dash) + ":" + name.substr(dash + 1));
    if (digest && damaged.bind(digest->str()).one_int()) continue;
    struct stat st {};
    if (::stat((dir + "/" + name).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    ++report.orphan_files;
    report.bytes_freed += static_cast<uint64_t>(st.st_size);
    if (!dry_run) remove_file(dir + "/" + name);
  }
}

// Content no repository links and no manifest row is, older than cutoff:
// its rows go (in the caller's transaction), listed in report.blobs.
void delete_unused_content(sql::Database& db, int64_t cutoff, GcReport& report) {
  db.exec(
      "CREATE TEMP TABLE gc_used(digest TEXT PRIMARY KEY) WITHOUT ROWID;"
      "INSERT OR IGNORE INTO gc_used SELECT digest FROM repository_blobs;"
      "INSERT OR IGNORE INTO gc_used SELECT digest FROM manifests;");
  {
    auto s = db.prepare(
        "SELECT digest, size FROM blobs WHERE created_at <= ? AND digest NOT IN "
        "(SELECT digest FROM gc_used) ORDER BY digest");
    s.bind(cutoff);
    while (s.step())
      report.blobs.push_back({"", s.column_text(0), static_cast<uint64_t>(s.column_int(1))});
  }
  db.exec("DROP TABLE temp.gc_used");
  auto remove = db.prepare("DELETE FROM blobs WHERE digest = ?");
  for (const auto& b : report.blobs) {
    remove.bind(b.name).run();
    report.bytes_freed += b.size;
  }
  db.exec("DELETE FROM damaged WHERE digest NOT IN (SELECT digest FROM blobs)");
}

}  // namespace

std::optional<GcReport> Store::collect_garbage(const GcOptions& options,
                                               std::chrono::milliseconds lock_wait) {
  auto started = std::chrono::steady_clock::now();
  auto import_lock = FileLock::acquire_within(import_lock_path(), lock_wait);
  if (!import_lock) return std::nullopt;
  FileLock sweep = content_lock(true);

  GcReport report;
  report.dry_run = options.dry_run;
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  const int64_t cutoff = now - options.grace.count();
  auto meta = pool_.acquire();
  sql::Database& db = meta->db();
  {
    sql::Transaction tx(db);
    for (auto& t : tags_to_drop(db, options, now)) {
      meta->delete_tag(t.repository_id, t.name);
      report.tags.push_back({t.repository, t.name, 0});
    }

    db.exec(
        "CREATE TEMP TABLE gc_kept(repository_id INTEGER NOT NULL, digest TEXT NOT NULL, "
        "PRIMARY KEY (repository_id, digest)) WITHOUT ROWID");
    db.prepare(kMarkSql).bind(cutoff).run();
    std::vector<std::pair<int64_t, std::string>> unreached;
    {
      auto s = db.prepare(
          "SELECT r.name, m.repository_id, m.digest, m.size FROM manifests m "
          "JOIN repositories r ON r.id = m.repository_id WHERE NOT EXISTS (SELECT 1 FROM "
          "gc_kept k WHERE k.repository_id = m.repository_id AND k.digest = m.digest) "
          "ORDER BY r.name, m.digest");
      while (s.step()) {
        report.manifests.push_back(
            {s.column_text(0), s.column_text(2), static_cast<uint64_t>(s.column_int(3))});
        unreached.emplace_back(s.column_int(1), s.column_text(2));
      }
    }
    for (const auto& [repo, digest] : unreached) meta->delete_manifest(repo, digest);
    db.exec("DROP TABLE temp.gc_kept");

    // Links no remaining manifest needs; young ones may be a push in progress.
    db.prepare(
          "DELETE FROM repository_blobs WHERE created_at <= ? AND NOT EXISTS (SELECT 1 FROM "
          "manifest_references r INDEXED BY manifest_references_by_target WHERE "
          "r.repository_id = repository_blobs.repository_id AND "
          "r.target_digest = repository_blobs.digest AND r.kind = 0)")
        .bind(cutoff)
        .run();
    report.links = static_cast<uint64_t>(db.changes());

    delete_unused_content(db, cutoff, report);
    if (!options.dry_run) tx.commit();  // a dry run rolls every change back
  }

  // Rows first, files after: a crash in between leaves only orphan files.
  if (!options.dry_run) {
    for (const auto& b : report.blobs) remove_file(blobs_.path_for(Digest::parse_or_throw(b.name)));
  }
  sweep_orphans(db, blobs_, options.dry_run, report);
  sweep_quarantine(db, blobs_, options.dry_run, report);
  report.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  return report;
}

}  // namespace ferry

// Listings for people: namespaces, repositories and tags with sizes
// (core/browse.h). The manifest detail is in browse_manifest.cc.
#include "core/browse.h"

#include <algorithm>
#include <map>

#include "base/error.h"
#include "core/browse_content.h"
#include "core/names.h"

namespace ferry {
namespace {

using nlohmann::json;

// A repository row before the visibility check.
struct RepoRow {
  int64_t id = 0;
  RepositorySummary summary;
};

std::string namespace_of(const std::string& repository) {
  return repository.substr(0, repository.find('/'));
}

// Up to `limit` repositories holding a manifest, by name after query.after,
// matching the query; tags and last change filled in, bytes not.
std::vector<RepoRow> repository_rows(sql::Database& db, const RepositoryQuery& query,
                                     const std::string& after, int64_t limit) {
  auto& s = db.cached(R"sql(
SELECT r.id, r.name, (SELECT count(*) FROM tags t WHERE t.repository_id = r.id),
       max(coalesce((SELECT max(updated_at) FROM tags t WHERE t.repository_id = r.id), 0),
           coalesce((SELECT max(created_at) FROM manifests m WHERE m.repository_id = r.id), 0))
  FROM repositories r
 WHERE r.name > ?1
   AND (?2 = '' OR r.name = ?2 OR substr(r.name, 1, length(?2) + 1) = ?2 || '/')
   AND (?3 = '' OR instr(lower(r.name), lower(?3)) > 0)
   AND EXISTS (SELECT 1 FROM manifests m WHERE m.repository_id = r.id)
 ORDER BY r.name LIMIT ?4)sql");
  s.bind(after, query.name_space, query.contains, limit);
  std::vector<RepoRow> out;
  while (s.step()) {
    RepoRow row;
    row.id = s.column_int(0);
    row.summary.name = s.column_text(1);
    row.summary.tags = static_cast<uint64_t>(s.column_int(2));
    row.summary.updated_at = s.column_int(3);
    out.push_back(std::move(row));
  }
  s.reset();
  return out;
}

// Distinct content bytes of the repositories with these ids (a JSON array).
uint64_t content_bytes(sql::Database& db, const std::string& ids_json) {
  auto& s = db.cached(R"sql(
WITH ids AS (SELECT value AS id FROM json_each(?1)),
content AS (
  SELECT digest FROM repository_blobs WHERE repository_id IN (SELECT id FROM ids)
  UNION SELECT digest FROM manifests WHERE repository_id IN (SELECT id FROM ids))
SELECT coalesce(sum(b.size), 0) FROM content c JOIN blobs b ON b.digest = c.digest)sql");
  return static_cast<uint64_t>(s.bind(ids_json).one_int().value_or(0));
}

uint64_t repository_bytes(sql::Database& db, int64_t id) {
  return content_bytes(db, json::array({id}).dump());
}

TagSummary tag_row(sql::Statement& s) {
  TagSummary t;
  t.name = s.column_text(0);
  t.digest = s.column_text(1);
  t.media_type = s.column_text(2);
  t.artifact_type = s.column_optional_text(3);
  t.updated_at = s.column_int(4);
  t.updated_by = s.column_optional_text(5);
  return t;
}

// Kind, platforms and created, from the manifest and its config. False when
// some of that content could not be read (damaged, missing, too big), so
// the summary is not one to keep.
bool describe(Store& store, TagSummary& t, uint64_t manifest_size) {
  auto manifest =
      browse::read_json(store, t.digest, manifest_size, store.options().max_manifest_bytes);
  // The manifest's own artifactType (the table holds the config's media
  // type in its place, for the referrers API).
  t.artifact_type.reset();
  if (!manifest) {
    t.kind = "artifact";
    return false;
  }
  t.artifact_type = browse::string_at(*manifest, "artifactType");
  t.kind = browse::kind_of(*manifest, t.media_type, t.artifact_type, t.name);
  std::optional<json> config;
  if (t.kind == "image") config = browse::read_config(store, *manifest);
  t.platforms = browse::platforms_of(*manifest, config);
  if (config) t.created = browse::string_at(*config, "created");
  return t.kind != "image" || config.has_value();
}

void apply(TagSummary& t, TagContentSummary c) {
  t.kind = std::move(c.kind);
  t.artifact_type = std::move(c.artifact_type);
  t.platforms = std::move(c.platforms);
  t.created = std::move(c.created);
  t.bytes = c.bytes;
}

}  // namespace

std::vector<NamespaceSummary> Browse::catalog(const MayPull& may_pull) {
  auto db = store_.database().acquire();
  struct Entry {
    NamespaceSummary summary;
    json ids = json::array();  // the visible repositories'
    bool partly_hidden = false;
  };
  std::map<std::string, Entry> by_name;
  for (auto& row : repository_rows(*db, {}, "", INT64_MAX)) {
    Entry& e = by_name[namespace_of(row.summary.name)];
    if (may_pull && !may_pull(row.summary.name)) {
      e.partly_hidden = true;
      continue;
    }
    e.summary.repositories++;
    e.summary.tags += row.summary.tags;
    e.summary.updated_at = std::max(e.summary.updated_at, row.summary.updated_at);
    e.ids.push_back(row.id);
  }
  // Where the caller sees every repository of the namespace (and each
  // holds a manifest), its bytes are the store's figure for it, kept
  // between changes; else they are counted over what the caller sees.
  std::map<std::string, NamespaceUsage> whole;
  for (auto& u : store_.namespace_usage()) whole[u.name] = u;
  std::vector<NamespaceSummary> out;
  for (auto& [name, e] : by_name) {
    if (e.summary.repositories == 0) continue;
    e.summary.name = name;
    auto w = whole.find(name);
    bool all_seen =
        !e.partly_hidden && w != whole.end() && w->second.repositories == e.summary.repositories;
    e.summary.bytes = all_seen ? w->second.bytes : content_bytes(*db, e.ids.dump());
    out.push_back(std::move(e.summary));
  }
  return out;
}

BrowsePage<RepositorySummary> Browse::repositories(const RepositoryQuery& query,
                                                   const MayPull& may_pull) {
  constexpr int64_t kBatch = 256;
  auto db = store_.database().acquire();
  BrowsePage<RepositorySummary> page;
  std::string after = query.after;
  while (true) {
    auto rows = repository_rows(*db, query, after, kBatch);
    for (auto& row : rows) {
      after = row.summary.name;
      if (may_pull && !may_pull(row.summary.name)) continue;
      if (static_cast<int64_t>(page.items.size()) == query.limit) {
        page.more = true;
        return page;
      }
      row.summary.bytes = repository_bytes(*db, row.id);
      page.items.push_back(std::move(row.summary));
    }
    if (static_cast<int64_t>(rows.size()) < kBatch) return page;
  }
}

BrowsePage<TagSummary> Browse::tags(const std::string& repository, const std::string& after,
                                    int64_t limit) {
  check_repository_name(repository);
  auto db = store_.database().acquire();
  auto id = db->cached("SELECT id FROM repositories WHERE name = ?").bind(repository).one_int();
  if (!id) {
    throw Error(ErrorCode::kNameUnknown,
                "repository '" + repository + "' is not known to this registry");
  }
  auto& s = db->cached(R"sql(
SELECT t.name, t.digest, m.media_type, m.artifact_type, t.updated_at, t.updated_by, m.size
  FROM tags t JOIN manifests m ON m.repository_id = t.repository_id AND m.digest = t.digest
 WHERE t.repository_id = ? AND t.name > ? ORDER BY t.name LIMIT ?)sql");
  s.bind(*id, after, limit + 1);
  BrowsePage<TagSummary> page;
  std::vector<uint64_t> sizes;
  while (s.step()) {
    page.items.push_back(tag_row(s));
    sizes.push_back(static_cast<uint64_t>(s.column_int(6)));
  }
  s.reset();
  if (static_cast<int64_t>(page.items.size()) > limit) {
    page.more = true;
    page.items.resize(static_cast<size_t>(limit));
  }
  for (size_t i = 0; i < page.items.size(); ++i) {
    TagSummary& t = page.items[i];
    if (auto kept = cache_ ? cache_->find(t.digest, t.name) : std::nullopt) {
      apply(t, std::move(*kept));
      continue;
    }
    t.bytes = browse::total_bytes(*db, *id, t.digest);
    if (describe(store_, t, sizes[i]) && cache_) {
      cache_->keep(t.digest, t.name, {t.kind, t.artifact_type, t.platforms, t.created, t.bytes});
    }
  }
  return page;
}

json to_json(const NamespaceSummary& n) {
  return {{"name", n.name},
          {"repositories", n.repositories},
          {"tags", n.tags},
          {"bytes", n.bytes},
          {"updatedAt", n.updated_at}};
}

json to_json(const RepositorySummary& r) {
  return {{"name", r.name}, {"tags", r.tags}, {"bytes", r.bytes}, {"updatedAt", r.updated_at}};
}

json to_json(const TagSummary& t) {
  auto opt = [](const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); };
  return {{"name", t.name},
          {"digest", t.digest},
          {"mediaType", t.media_type},
          {"artifactType", opt(t.artifact_type)},
          {"kind", t.kind},
          {"platforms", t.platforms},
          {"bytes", t.bytes},
          {"created", opt(t.created)},
          {"updatedAt", t.updated_at},
          {"updatedBy", opt(t.updated_by)}};
}

}  // namespace ferry

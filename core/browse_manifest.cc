// One manifest in detail for people (core/browse.h, Browse::manifest): its
// platforms, config summary, layers, chart fields, files and referrers.
#include <string_view>

#include "base/error.h"
#include "core/browse.h"
#include "core/browse_content.h"
#include "core/json_strict.h"
#include "core/manifest.h"
#include "core/media_types.h"
#include "core/names.h"

namespace ferry {
namespace {

using nlohmann::json;

constexpr const char* kCreatedAnnotation = "org.opencontainers.image.created";

json opt(const std::optional<std::string>& v) {
  return v ? json(*v) : json(nullptr);
}

// The layers' descriptors, with their title annotation (a file's name).
json layers_json(const json& manifest) {
  json out = json::array();
  auto layers = manifest.find("layers");
  if (layers == manifest.end() || !layers->is_array()) return out;
  for (const auto& l : *layers) {
    if (!l.is_object()) continue;
    std::optional<std::string> title;
    if (l.contains("annotations"))
      title = browse::string_at(l["annotations"], "org.opencontainers.image.title");
    out.push_back({{"digest", opt(browse::string_at(l, "digest"))},
                   {"mediaType", opt(browse::string_at(l, "mediaType"))},
                   {"bytes", l.value("size", json(0))},
                   {"title", opt(title)}});
  }
  return out;
}

json files_json(const json& layers) {
  json out = json::array();
  for (const auto& l : layers) {
    if (l["title"].is_null()) continue;
    out.push_back({{"name", l["title"]}, {"digest", l["digest"]}, {"bytes", l["bytes"]}});
  }
  return out;
}

// The image config's summary: what `docker inspect` shows first. Fields
// absent when the config does not say (or is over kMaxConfigRead).
json config_json(const json& descriptor, const std::optional<json>& config) {
  json out = {{"digest", opt(browse::string_at(descriptor, "digest"))},
              {"mediaType", opt(browse::string_at(descriptor, "mediaType"))},
              {"bytes", descriptor.value("size", json(0))}};
  if (!config || !config->is_object()) return out;
  for (const char* key : {"created", "os", "architecture"}) {
    if (auto v = browse::string_at(*config, key)) out[key] = *v;
  }
  auto inner = config->find("config");
  if (inner == config->end() || !inner->is_object()) return out;
  const std::pair<const char*, const char*> fields[] = {
      {"Entrypoint", "entrypoint"}, {"Cmd", "cmd"},  {"Env", "env"}, {"Labels", "labels"},
      {"WorkingDir", "workingDir"}, {"User", "user"}};
  for (const auto& [from, to] : fields) {
    auto v = inner->find(from);
    if (v != inner->end() && !v->is_null()) out[to] = *v;
  }
  return out;
}

struct Manifest {
  int64_t repo_id = 0;
  std::string repository;
  ManifestInfo info;
  json raw;
  ParsedManifest parsed;
};

Manifest load(Store& store, const std::string& repository, const std::string& reference) {
  Manifest m;
  m.repository = repository;
  m.info = store.resolve_manifest(repository, reference, false);
  auto digest = Digest::parse_or_throw(m.info.digest);
  std::string bytes;
  try {
    bytes = store.read_content(digest, store.options().max_manifest_bytes);
  } catch (const std::exception&) {
    throw Error(ErrorCode::kManifestUnknown,
                "manifest " + m.info.digest + " is recorded but cannot be read; push it again");
  }
  m.parsed = parse_manifest(bytes, m.info.media_type);
  m.raw = parse_json_strict(bytes, kMaxJsonDepth, kMaxManifestValues).value;
  auto db = store.database().acquire();
  m.repo_id = db->cached("SELECT id FROM repositories WHERE name = ?")
                  .bind(repository)
                  .one_int()
                  .value_or(0);
  return m;
}

json platforms_json(Store& store, const Manifest& m) {
  json out = json::array();
  auto entries = m.raw.find("manifests");
  if (entries == m.raw.end() || !entries->is_array()) return out;
  auto db = store.database().acquire();
  for (const auto& e : *entries) {
    auto digest = browse::string_at(e, "digest");
    if (!digest) continue;
    std::optional<std::string> platform;
    if (e.contains("platform")) platform = browse::platform_text(e["platform"]);
    uint64_t bytes = browse::total_bytes(*db, m.repo_id, *digest);
    out.push_back({{"platform", opt(platform)}, {"digest", *digest}, {"bytes", bytes}});
  }
  return out;
}

json referrer_json(Store& store, sql::Database& db, const Manifest& m, const ReferrerRow& r,
                   const std::string& tag) {
  json annotations = json::object();
  if (r.annotations) {
    StrictJson a = parse_json_strict(*r.annotations);
    if (a.ok() && a.value.is_object()) annotations = std::move(a.value);
  }
  auto raw = browse::read_json(store, r.digest, r.size, store.options().max_manifest_bytes);
  std::optional<std::string> own_type =
      raw ? browse::string_at(*raw, "artifactType") : r.artifact_type;
  std::string kind = browse::kind_of(raw ? *raw : json::object(), r.media_type, own_type, tag);
  return {{"digest", r.digest},
          {"mediaType", r.media_type},
          {"artifactType", opt(r.artifact_type)},
          {"kind", kind},
          {"bytes", browse::total_bytes(db, m.repo_id, r.digest)},
          {"annotations", annotations},
          {"created", opt(browse::string_at(annotations, kCreatedAnnotation))}};
}

// Referrers by subject, then cosign's tag scheme (sha256-HEX.sig, .att, .sbom).
json referrers_json(Store& store, const Manifest& m) {
  json out = json::array();
  Digest subject = Digest::parse_or_throw(m.info.digest);
  auto rows = store.list_referrers(m.repository, subject, std::nullopt);
  auto db = store.database().acquire();
  for (const auto& r : rows) out.push_back(referrer_json(store, *db, m, r, ""));
  std::string base = m.info.digest;
  base[base.find(':')] = '-';
  for (const char* suffix : {".sig", ".att", ".sbom"}) {
    auto& s = db->cached(
        "SELECT m.digest, m.media_type, m.size, m.artifact_type, m.annotations FROM tags t "
        "JOIN manifests m ON m.repository_id = t.repository_id AND m.digest = t.digest "
        "WHERE t.repository_id = ? AND t.name = ?");
    s.bind(m.repo_id, base + suffix);
    std::optional<ReferrerRow> row;
    if (s.step()) {
      row = ReferrerRow{s.column_text(0), s.column_text(1), uint64_t(s.column_int(2)),
                        s.column_optional_text(3), s.column_optional_text(4)};
    }
    s.reset();
    if (row) out.push_back(referrer_json(store, *db, m, *row, base + suffix));
  }
  return out;
}

}  // namespace

json Browse::manifest(const std::string& repository, const std::string& reference) {
  check_repository_name(repository);
  Manifest m = load(store_, repository, reference);
  auto own_type = browse::string_at(m.raw, "artifactType");
  std::string kind = browse::kind_of(m.raw, m.info.media_type, own_type, reference);
  uint64_t bytes = 0;
  {
    auto db = store_.database().acquire();
    bytes = browse::total_bytes(*db, m.repo_id, m.info.digest);
  }
  json out = {{"name", repository},
              {"digest", m.info.digest},
              {"mediaType", m.info.media_type},
              {"artifactType", opt(own_type)},
              {"kind", kind},
              {"bytes", bytes},
              {"tags", store_.tags_of(repository, Digest::parse_or_throw(m.info.digest))},
              {"manifest", m.raw}};
  if (m.parsed.is_index) out["platforms"] = platforms_json(store_, m);
  json layers = layers_json(m.raw);
  if (!m.parsed.is_index) out["layers"] = layers;
  const json* descriptor = browse::config_of(m.raw);
  std::optional<json> config;
  if (descriptor && (kind == "image" || kind == "chart"))
    config = browse::read_config(store_, m.raw);
  if (descriptor && kind == "image") out["config"] = config_json(*descriptor, config);
  if (kind == "chart") out["chart"] = config && config->is_object() ? *config : json::object();
  if (kind == "files") out["files"] = files_json(layers);
  out["referrers"] = referrers_json(store_, m);
  return out;
}

}  // namespace ferry

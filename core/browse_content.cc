#include "core/browse_content.h"

#include <array>
#include <string_view>

#include "core/browse.h"
#include "core/json_strict.h"
#include "core/manifest.h"
#include "core/media_types.h"

namespace ferry::browse {
namespace {

using nlohmann::json;

constexpr std::string_view kHelmConfig = "application/vnd.cncf.helm.config.v1+json";
constexpr std::array<std::string_view, 2> kImageConfigs = {
    "application/vnd.oci.image.config.v1+json", "application/vnd.docker.container.image.v1+json"};

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

bool ends_with(const std::string& text, std::string_view tail) {
  return text.size() >= tail.size() &&
         text.compare(text.size() - tail.size(), tail.size(), tail) == 0;
}

// The manifest's artifactType, config and layer media types.
std::vector<std::string> types_in(const json& manifest,
                                  const std::optional<std::string>& artifact_type) {
  std::vector<std::string> types;
  if (artifact_type) types.push_back(*artifact_type);
  if (const json* config = config_of(manifest)) {
    if (auto t = string_at(*config, "mediaType")) types.push_back(*t);
  }
  auto layers = manifest.find("layers");
  if (layers != manifest.end() && layers->is_array()) {
    for (const auto& l : *layers) {
      if (auto t = string_at(l, "mediaType")) types.push_back(*t);
    }
  }
  return types;
}

// signature, sbom or attestation, by any of the types or a cosign tag suffix.
std::optional<std::string> supply_chain_kind(const std::vector<std::string>& types,
                                             const std::string& tag) {
  for (const auto& t : types) {
    if (contains(t, "cosign.artifact.sig") || contains(t, "cosign.simplesigning") ||
        contains(t, "notary.signature") || contains(t, "notary.v2.signature"))
      return "signature";
    if (contains(t, "spdx") || contains(t, "cyclonedx") || contains(t, "syft")) return "sbom";
    if (contains(t, "in-toto") || contains(t, "dsse.envelope")) return "attestation";
  }
  if (ends_with(tag, ".sig")) return "signature";
  if (ends_with(tag, ".sbom")) return "sbom";
  if (ends_with(tag, ".att")) return "attestation";
  return std::nullopt;
}

bool has_titled_layer(const json& manifest) {
  auto layers = manifest.find("layers");
  if (layers == manifest.end() || !layers->is_array()) return false;
  for (const auto& l : *layers) {
    if (l.is_object() && l.contains("annotations") && l["annotations"].is_object() &&
        l["annotations"].contains(std::string(media::kTitleAnnotation)))
      return true;
  }
  return false;
}

}  // namespace

uint64_t total_bytes(sql::Database& db, int64_t repo_id, const std::string& digest) {
  auto& s = db.cached(R"sql(
WITH RECURSIVE parts(d) AS (
  SELECT ?2
  UNION SELECT r.target_digest FROM manifest_references r JOIN parts p ON r.manifest_digest = p.d
   WHERE r.repository_id = ?1)
SELECT coalesce(sum(b.size), 0) FROM parts JOIN blobs b ON b.digest = parts.d)sql");
  return static_cast<uint64_t>(s.bind(repo_id, digest).one_int().value_or(0));
}

std::optional<json> read_json(Store& store, const std::string& digest, uint64_t size,
                              uint64_t max_bytes) {
  if (size > max_bytes) return std::nullopt;
  auto parsed = Digest::parse(digest);
  if (!parsed) return std::nullopt;
  std::string bytes;
  try {
    bytes = store.read_content(*parsed, max_bytes);
  } catch (const std::exception&) {
    return std::nullopt;  // quarantined or missing: shown without it
  }
  StrictJson j = parse_json_strict(bytes, kMaxJsonDepth, kMaxManifestValues);
  if (!j.ok()) return std::nullopt;
  return std::move(j.value);
}

const json* config_of(const json& manifest) {
  if (!manifest.is_object()) return nullptr;
  auto c = manifest.find("config");
  if (c == manifest.end() || !c->is_object()) return nullptr;
  return &*c;
}

std::optional<json> read_config(Store& store, const json& manifest) {
  const json* c = config_of(manifest);
  if (!c) return std::nullopt;
  auto digest = string_at(*c, "digest");
  auto size = c->find("size");
  if (!digest || size == c->end() || !size->is_number_unsigned()) return std::nullopt;
  return read_json(store, *digest, size->get<uint64_t>(), kMaxConfigRead);
}

std::string kind_of(const json& manifest, const std::string& media_type,
                    const std::optional<std::string>& artifact_type, const std::string& tag) {
  if (auto k = supply_chain_kind(types_in(manifest, artifact_type), tag)) return *k;
  if (media::is_index(media_type)) return "index";
  std::optional<std::string> config_type;
  if (const json* c = config_of(manifest)) config_type = string_at(*c, "mediaType");
  if (config_type == kHelmConfig || artifact_type == kHelmConfig) return "chart";
  if (artifact_type == media::kFerryFile) return "files";
  bool image_config = false;
  for (auto t : kImageConfigs) image_config = image_config || config_type == t;
  if (image_config && !artifact_type) return "image";
  if (has_titled_layer(manifest)) return "files";
  return "artifact";
}

std::optional<std::string> platform_text(const json& platform) {
  auto os = string_at(platform, "os");
  auto arch = string_at(platform, "architecture");
  if (!os || !arch) return std::nullopt;
  std::string text = *os + "/" + *arch;
  if (auto variant = string_at(platform, "variant"); variant && !variant->empty())
    text += "/" + *variant;
  return text;
}

std::vector<std::string> platforms_of(const json& manifest, const std::optional<json>& config) {
  std::vector<std::string> out;
  auto entries = manifest.is_object() ? manifest.find("manifests") : manifest.end();
  if (manifest.is_object() && entries != manifest.end() && entries->is_array()) {
    for (const auto& e : *entries) {
      if (!e.is_object() || !e.contains("platform")) continue;
      auto p = platform_text(e["platform"]);
      // Buildx's attestation entries are "unknown/unknown": not a platform to pull.
      if (p && *p != "unknown/unknown") out.push_back(*p);
    }
  } else if (config) {
    if (auto p = platform_text(*config)) out.push_back(*p);
  }
  return out;
}

std::optional<std::string> string_at(const json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace ferry::browse

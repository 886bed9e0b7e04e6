#include "core/bundle_format.h"

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>

#include "core/bundle_error.h"
#include "core/units.h"

namespace ferry::bundle {
namespace {

using nlohmann::json;

[[noreturn]] void malformed(const std::string& why) {
  throw BundleError(BundleErrorKind::kMalformed, "bundle manifest is not valid: " + why);
}

Digest digest_field(const json& j, const char* key, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) malformed(where + "." + key + " is missing");
  auto d = Digest::parse(it->get<std::string>());
  if (!d) malformed(where + "." + key + " is not a digest");
  return *d;
}

uint64_t size_field(const json& j, const char* key, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_unsigned()) malformed(where + "." + key + " is missing");
  return it->get<uint64_t>();
}

std::string string_field(const json& j, const char* key, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) malformed(where + "." + key + " is missing");
  return it->get<std::string>();
}

}  // namespace

std::string blob_entry_name(const Digest& digest) {
  return "blobs/" + std::string(digest.algorithm_name()) + "/" + digest.hex();
}

std::string volume_name(const std::string& base, size_t number) {
  char suffix[16];
  snprintf(suffix, sizeof suffix, ".%03zu", number);
  return base + suffix;
}

std::pair<std::string, int64_t> creation_time() {
  int64_t t = static_cast<int64_t>(std::time(nullptr));
  if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH")) t = std::strtoll(epoch, nullptr, 10);
  return {format_utc(t), t};
}

std::string Manifest::to_json(bool with_id) const {
  json blob_list = json::array();
  for (const auto& b : blobs) {
    blob_list.push_back(
        {{"digest", b.digest.str()}, {"size", b.size}, {"mediaType", b.media_type}});
  }
  json image_list = json::array();
  for (const auto& i : images) {
    image_list.push_back({{"name", i.name},
                          {"digest", i.digest.str()},
                          {"size", i.size},
                          {"mediaType", i.media_type},
                          {"platforms", i.platforms},
                          {"contentBytes", i.content_bytes}});
  }
  json req = json::array();
  for (const auto& d : requires_) req.push_back(d.str());
  json doc = {{"mediaType", kManifestMediaType},
              {"version", kVersion},
              {"created", created},
              {"channel", channel},
              {"sequence", sequence},
              {"images", image_list},
              {"blobs", blob_list},
              {"index", {{"digest", index_digest.str()}, {"size", index_size}}},
              {"requires", req}};
  if (!expires.empty()) doc["expires"] = expires;
  if (with_id) doc["id"] = id;
  return doc.dump();  // nlohmann objects keep keys sorted: canonical
}

void Manifest::assign_id() {
  id = digest_of(to_json(false)).hex().substr(0, 32);
}

std::string Manifest::trusted_comment() const {
  return "ferry-bundle id=" + id + " channel=" + channel + " sequence=" + std::to_string(sequence);
}

Manifest Manifest::parse(std::string_view text) {
  json doc = json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) malformed("not a JSON object");
  if (doc.value("mediaType", "") != kManifestMediaType) malformed("wrong mediaType");
  if (!doc.contains("version") || doc["version"] != kVersion) {
    malformed("unsupported version (this ferry reads version 1); use a newer ferry");
  }
  Manifest m;
  m.id = string_field(doc, "id", "manifest");
  m.created = string_field(doc, "created", "manifest");
  m.channel = string_field(doc, "channel", "manifest");
  m.sequence = size_field(doc, "sequence", "manifest");
  if (doc.contains("expires")) {
    m.expires = string_field(doc, "expires", "manifest");
    if (!parse_utc(m.expires)) malformed("expires is not an RFC 3339 UTC time");
  }
  if (!doc["images"].is_array() || !doc["blobs"].is_array())
    malformed("images and blobs must be arrays");
  for (size_t i = 0; i < doc["images"].size(); ++i) {
    const json& e = doc["images"][i];
    std::string where = "images[" + std::to_string(i) + "]";
    ImageEntry image{string_field(e, "name", where),
                     digest_field(e, "digest", where),
                     size_field(e, "size", where),
                     string_field(e, "mediaType", where),
                     {},
                     0};
    if (e.contains("platforms")) {
      if (!e["platforms"].is_array()) malformed(where + ".platforms must be an array");
      for (const auto& p : e["platforms"]) {
        if (!p.is_string()) malformed(where + ".platforms must hold strings");
        image.platforms.push_back(p.get<std::string>());
      }
    }
    if (e.contains("contentBytes")) image.content_bytes = size_field(e, "contentBytes", where);
    m.images.push_back(std::move(image));
  }
  for (size_t i = 0; i < doc["blobs"].size(); ++i) {
    const json& e = doc["blobs"][i];
    std::string where = "blobs[" + std::to_string(i) + "]";
    m.blobs.push_back({digest_field(e, "digest", where), size_field(e, "size", where),
                       string_field(e, "mediaType", where)});
  }
  if (!std::is_sorted(m.blobs.begin(), m.blobs.end(),
                      [](const BlobEntry& a, const BlobEntry& b) { return a.digest < b.digest; })) {
    malformed("blobs are not sorted by digest");
  }
  if (!doc.contains("index") || !doc["index"].is_object()) malformed("index is missing");
  m.index_digest = digest_field(doc["index"], "digest", "index");
  m.index_size = size_field(doc["index"], "size", "index");
  if (doc.contains("requires")) {
    if (!doc["requires"].is_array()) malformed("requires must be an array");
    for (const auto& r : doc["requires"]) {
      auto d = r.is_string() ? Digest::parse(r.get<std::string>()) : std::nullopt;
      if (!d) malformed("requires lists something that is not a digest");
      m.requires_.push_back(*d);
    }
  }
  return m;
}

}  // namespace ferry::bundle

#include "bundle/format.h"

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "bundle/error.h"
#include "core/json_strict.h"
#include "core/printable.h"
#include "core/units.h"

namespace ferry::bundle {
namespace {

using nlohmann::json;

constexpr const char* kRefName = "org.opencontainers.image.ref.name";

[[noreturn]] void malformed(const std::string& why) {
  throw Error(BundleErrorKind::kMalformed, "bundle manifest is not valid: " + why);
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

json referrer_json(const ReferrerEntry& r) {
  json j = {{"digest", r.digest.str()},
            {"size", r.size},
            {"mediaType", r.media_type},
            {"subject", r.subject.str()}};
  if (!r.artifact_type.empty()) j["artifactType"] = r.artifact_type;
  if (!r.tag.empty()) j["tag"] = r.tag;
  return j;
}

ReferrerEntry parse_referrer(const json& e, const std::string& where) {
  if (!e.is_object()) malformed(where + " is not an object");
  ReferrerEntry r{digest_field(e, "digest", where),
                  size_field(e, "size", where),
                  string_field(e, "mediaType", where),
                  digest_field(e, "subject", where),
                  "",
                  ""};
  if (e.contains("artifactType")) r.artifact_type = string_field(e, "artifactType", where);
  if (e.contains("tag")) r.tag = string_field(e, "tag", where);
  if (!r.tag.empty() && !is_referrer_tag_for(r.tag, r.subject)) {
    malformed(where + ".tag '" + r.tag.substr(0, 140) +
              "' is not the tag schema's name for its subject (" +
              std::string(r.subject.algorithm_name()) + "-<hex>[.sig|.att|.sbom])");
  }
  return r;
}

// Optional, so bundles without referrers (and their ids) are as before.
std::vector<ReferrerEntry> parse_referrers(const json& image, const std::string& where) {
  std::vector<ReferrerEntry> out;
  if (!image.contains("referrers")) return out;
  if (!image["referrers"].is_array()) malformed(where + ".referrers must be an array");
  for (size_t i = 0; i < image["referrers"].size(); ++i) {
    out.push_back(
        parse_referrer(image["referrers"][i], where + ".referrers[" + std::to_string(i) + "]"));
  }
  return out;
}

// One descriptor of index.json, all of it that the signed manifest fixes.
struct LayoutEntry {
  std::string name;  // org.opencontainers.image.ref.name; empty for an untagged referrer
  std::string digest, media_type;
  uint64_t size = 0;
  auto operator<=>(const LayoutEntry&) const = default;
};

std::string describe(const LayoutEntry& e) {
  return (e.name.empty() ? "" : printable(e.name.substr(0, 200)) + " ") + e.digest + " (" +
         printable(e.media_type.substr(0, 100)) + ", " + std::to_string(e.size) + " bytes)";
}

[[noreturn]] void bad_layout(const std::string& why) {
  throw Error(BundleErrorKind::kTampered, why);
}

LayoutEntry layout_entry(const json& d, const std::string& where) {
  if (!d.is_object()) bad_layout(where + " is not a descriptor object");
  LayoutEntry e;
  auto digest = d.find("digest");
  if (digest == d.end() || !digest->is_string() || !Digest::parse(digest->get<std::string>())) {
    bad_layout(where + ".digest is missing or not a digest string");
  }
  e.digest = digest->get<std::string>();
  auto type = d.find("mediaType");
  if (type == d.end() || !type->is_string()) bad_layout(where + ".mediaType is not a string");
  e.media_type = type->get<std::string>();
  auto size = d.find("size");
  if (size == d.end() || !size->is_number_unsigned()) {
    bad_layout(where + ".size is not a non-negative integer");
  }
  e.size = size->get<uint64_t>();
  if (auto ann = d.find("annotations"); ann != d.end()) {
    if (!ann->is_object()) bad_layout(where + ".annotations is not an object");
    if (auto ref = ann->find(kRefName); ref != ann->end()) {
      if (!ref->is_string()) bad_layout(where + " has a ref.name annotation that is not a string");
      e.name = ref->get<std::string>();
    }
  }
  return e;
}

// What layout_index writes for the manifest, as a set.
std::set<LayoutEntry> expected_layout(const Manifest& m) {
  std::set<LayoutEntry> out;
  for (const auto& i : m.images) out.insert({i.name, i.digest.str(), i.media_type, i.size});
  for (const auto& i : m.images) {
    for (const auto& r : i.referrers) {
      std::string name = r.tag.empty() ? "" : repository_of(i.name) + ":" + r.tag;
      out.insert({name, r.digest.str(), r.media_type, r.size});
    }
  }
  return out;
}

}  // namespace

std::string tag_schema_tag(const Digest& subject) {
  return std::string(subject.algorithm_name()) + "-" + subject.hex().substr(0, 64);
}

bool is_referrer_tag_for(const std::string& tag, const Digest& subject) {
  std::string base = tag_schema_tag(subject);
  if (tag == base) return true;
  if (tag.size() <= base.size() + 1 || tag.compare(0, base.size() + 1, base + ".") != 0)
    return false;
  std::string suffix = tag.substr(base.size() + 1);
  return suffix.size() <= 16 &&
         suffix.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789") == std::string::npos;
}

std::string repository_of(const std::string& image_name) {
  return image_name.substr(0, image_name.rfind(':'));
}

std::string layout_index(const Manifest& m) {
  json manifests = json::array();
  for (const auto& i : m.images) {
    manifests.push_back({{"mediaType", i.media_type},
                         {"digest", i.digest.str()},
                         {"size", i.size},
                         {"annotations", {{kRefName, i.name}}}});
  }
  std::set<std::string> listed;  // a referrer of two images is listed once
  for (const auto& i : m.images) {
    for (const auto& r : i.referrers) {
      std::string name = r.tag.empty() ? "" : repository_of(i.name) + ":" + r.tag;
      if (!listed.insert(name + "@" + r.digest.str()).second) continue;
      json d = {{"mediaType", r.media_type}, {"digest", r.digest.str()}, {"size", r.size}};
      if (!r.artifact_type.empty()) d["artifactType"] = r.artifact_type;
      if (!name.empty()) d["annotations"] = {{kRefName, name}};
      manifests.push_back(std::move(d));
    }
  }
  return json{{"schemaVersion", 2},
              {"mediaType", "application/vnd.oci.image.index.v1+json"},
              {"manifests", manifests}}
      .dump();
}

void check_layout_index(std::string_view bytes, const Manifest& m) {
  auto tampered = [](const std::string& why) { throw Error(BundleErrorKind::kTampered, why); };
  StrictJson parsed = parse_json_strict(bytes);
  if (!parsed.ok()) tampered("index.json is not one strict JSON value: " + parsed.error);
  const json& doc = parsed.value;
  if (!doc.is_object() || !doc.contains("manifests") || !doc["manifests"].is_array()) {
    tampered("index.json is not an OCI image index");
  }
  std::set<LayoutEntry> listed;
  for (size_t i = 0; i < doc["manifests"].size(); ++i) {
    LayoutEntry e =
        layout_entry(doc["manifests"][i], "index.json manifests[" + std::to_string(i) + "]");
    if (!listed.insert(e).second) tampered("index.json lists " + describe(e) + " twice");
  }
  std::set<LayoutEntry> expected = expected_layout(m);
  for (const auto& e : listed) {
    if (!expected.count(e)) {
      tampered("index.json lists " + describe(e) + ", which the signed manifest does not");
    }
  }
  for (const auto& e : expected) {
    if (!listed.count(e)) {
      tampered("index.json does not list " + describe(e) + ", which the signed manifest names");
    }
  }
}

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
    json entry = {{"name", i.name},           {"digest", i.digest.str()},
                  {"size", i.size},           {"mediaType", i.media_type},
                  {"platforms", i.platforms}, {"contentBytes", i.content_bytes}};
    if (!i.referrers.empty()) {
      entry["referrers"] = json::array();
      for (const auto& r : i.referrers) entry["referrers"].push_back(referrer_json(r));
    }
    image_list.push_back(std::move(entry));
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

size_t Manifest::referrer_count() const {
  size_t n = 0;
  for (const auto& i : images) n += i.referrers.size();
  return n;
}

Manifest Manifest::parse(std::string_view text) {
  StrictJson parsed = parse_json_strict(text);
  if (!parsed.ok()) malformed("not one strict JSON value: " + parsed.error);
  json& doc = parsed.value;
  if (!doc.is_object()) malformed("not a JSON object");
  auto type = doc.find("mediaType");
  if (type == doc.end() || *type != kManifestMediaType) malformed("wrong mediaType");
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
                     0,
                     {}};
    if (e.contains("platforms")) {
      if (!e["platforms"].is_array()) malformed(where + ".platforms must be an array");
      for (const auto& p : e["platforms"]) {
        if (!p.is_string()) malformed(where + ".platforms must hold strings");
        image.platforms.push_back(p.get<std::string>());
      }
    }
    if (e.contains("contentBytes")) image.content_bytes = size_field(e, "contentBytes", where);
    image.referrers = parse_referrers(e, where);
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

#include "bundler/content_walk.h"

#include <algorithm>
#include <deque>
#include <nlohmann/json.hpp>
#include <set>

#include "base/error.h"
#include "bundle/error.h"
#include "bundle/format.h"
#include "core/media_types.h"

namespace ferry::cli {
namespace {

using nlohmann::json;

void collect(ContentReader& reader, const Descriptor& d, std::map<Digest, CollectedBlob>& blobs,
             int depth) {
  if (depth > 8) bad_source(reader.where(), "indexes nest too deep");
  std::string bytes = reader.read_small(d);
  ParsedManifest m;
  try {
    m = parse_manifest(bytes, d.media_type);
  } catch (const Error& e) {
    bad_source(reader.where(), d.digest.str() + ": " + e.what());
  }
  blobs.emplace(d.digest, CollectedBlob{d.size, d.media_type, "", "", "", bytes, {}});
  for (const auto& child : m.manifests) collect(reader, child, blobs, depth + 1);
  for (const auto& b : m.blobs) {
    if (!b.external && !blobs.count(b.digest)) blobs.emplace(b.digest, reader.locate(b));
  }
}

std::string platform_of(const json& p) {
  std::string out = p.value("os", "") + "/" + p.value("architecture", "");
  if (p.contains("variant") && p["variant"].is_string())
    out += "/" + p["variant"].get<std::string>();
  return out;
}

std::vector<std::string> platforms_in(ContentReader& reader, const std::string& top_bytes) {
  std::vector<std::string> out;
  json doc = json::parse(top_bytes, nullptr, false);
  if (doc.contains("manifests") && doc["manifests"].is_array()) {
    for (const auto& m : doc["manifests"]) {
      if (m.contains("platform") && m["platform"].is_object())
        out.push_back(platform_of(m["platform"]));
    }
  } else if (doc.contains("config") && doc["config"].is_object()) {
    json c = json::parse(reader.read_small(descriptor_of(doc["config"], reader.where())), nullptr,
                         false);
    if (c.is_object() && c.contains("os")) out.push_back(platform_of(c));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "none" : out;
}

// More than this many referrers of one image is a source gone wrong.
constexpr size_t kMaxReferrers = 10000;

// A referrer's manifest, read and checked; an untagged one must name its subject.
ParsedManifest read_referrer(ContentReader& reader, const Referrer& r) {
  ParsedManifest m;
  try {
    m = parse_manifest(reader.read_small(r.descriptor), r.descriptor.media_type);
  } catch (const Error& e) {
    if (!e.code_in<ErrorCode>()) throw;  // read_small's own refusal, already worded
    bad_source(reader.where(), "referrer " + r.descriptor.digest.str() + ": " + e.what());
  }
  if (r.tag.empty() && (!m.subject || m.subject->digest != r.subject)) {
    bad_source(reader.where(), "listed " + r.descriptor.digest.str() + " as a referrer of " +
                                   r.subject.str() +
                                   ", but its subject says otherwise; pack with --no-referrers "
                                   "to leave referrers out");
  }
  return m;
}

}  // namespace

std::vector<Referrer> ContentReader::referrers_of(const Digest&) {
  return {};
}

std::vector<std::string> tag_schema_tags(const std::vector<std::string>& tags,
                                         const Digest& subject, std::string* index_tag) {
  // The same rule as the bundle format's, so pack never carries a tag
  // that import would refuse.
  std::string index_name = bundle::tag_schema_tag(subject);
  std::vector<std::string> out;
  for (const auto& t : tags) {
    if (!bundle::is_referrer_tag_for(t, subject)) continue;
    if (t == index_name) {
      if (index_tag) *index_tag = t;
    } else {
      out.push_back(t);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<Referrer> referrers_in_index(const std::string& index_json, const Digest& subject,
                                         const std::string& where) {
  auto doc = json::parse(index_json, nullptr, false);
  if (!doc.is_object() || !doc.contains("manifests") || !doc["manifests"].is_array()) {
    bad_source(where, "the referrers of " + subject.str() + " are not an OCI index");
  }
  std::vector<Referrer> out;
  for (const auto& m : doc["manifests"]) {
    out.push_back(Referrer{descriptor_of(m, where), subject, "", ""});
  }
  return out;
}

std::vector<Digest> manifests_in(const std::map<Digest, CollectedBlob>& own) {
  std::vector<Digest> out;
  for (const auto& [digest, blob] : own) {
    if (media::is_manifest(blob.media_type)) out.push_back(digest);
  }
  return out;
}

std::vector<Referrer> collect_referrers(ContentReader& reader, const std::vector<Digest>& subjects,
                                        std::map<Digest, CollectedBlob>& own) {
  std::vector<Referrer> found;
  std::set<std::pair<Digest, std::string>> seen;  // a referrer may be both tagged and not
  std::set<Digest> asked;
  std::deque<Digest> queue(subjects.begin(), subjects.end());
  while (!queue.empty()) {
    Digest subject = queue.front();
    queue.pop_front();
    if (!asked.insert(subject).second) continue;
    for (auto& r : reader.referrers_of(subject)) {
      if (!seen.emplace(r.descriptor.digest, r.tag).second) continue;
      if (found.size() >= kMaxReferrers) bad_source(reader.where(), "lists too many referrers");
      ParsedManifest m = read_referrer(reader, r);
      collect(reader, r.descriptor, own, 0);
      r.artifact_type = m.artifact_type.value_or("");
      queue.push_back(r.descriptor.digest);  // a signature of this SBOM, say
      found.push_back(std::move(r));
    }
  }
  return found;
}

Descriptor descriptor_of(const json& j, const std::string& where) {
  auto digest = Digest::parse(j.value("digest", ""));
  if (!digest || !j.contains("size") || !j["size"].is_number_unsigned()) {
    bad_source(where, "a descriptor without a valid digest and size");
  }
  return Descriptor{j.value("mediaType", std::string(media::kOciManifest)), *digest,
                    j["size"].get<uint64_t>(), false};
}

void bad_source(const std::string& where, const std::string& why) {
  throw Error(bundle::BundleErrorKind::kSource, where + ": " + why);
}

// --platform: keeps the index's children for the wanted platforms. One
// platform asked for: that child becomes the image. Several: a new index of
// the matching children is made (held in memory, like any synthesised blob).
// A single-platform image must match.
Descriptor collect_content(ContentReader& reader, const Descriptor& top,
                           const std::vector<std::string>& wanted,
                           std::map<Digest, CollectedBlob>& own) {
  if (wanted.empty()) {
    collect(reader, top, own, 0);
    return top;
  }
  const std::string& where = reader.where();
  json doc = json::parse(reader.read_small(top), nullptr, false);
  if (!doc.contains("manifests")) {
    auto have = platforms_in(reader, doc.dump());
    if (have.empty() || !platform_wanted(have.front(), wanted)) {
      bad_source(where, "the image is " + join(have) + ", not " + join(wanted));
    }
    collect(reader, top, own, 0);
    return top;
  }
  json kept = json::array();
  std::vector<std::string> seen;
  for (const auto& m : doc["manifests"]) {
    std::string p = m.contains("platform") ? platform_of(m["platform"]) : "";
    seen.push_back(p.empty() ? "(no platform)" : p);
    if (!p.empty() && platform_wanted(p, wanted)) kept.push_back(m);
  }
  if (kept.empty())
    bad_source(where, "has no image for " + join(wanted) + "; it has " + join(seen));
  if (kept.size() == doc["manifests"].size()) {  // all wanted: keep the index as it is
    collect(reader, top, own, 0);
    return top;
  }
  if (wanted.size() == 1 && kept.size() == 1) {
    Descriptor child = descriptor_of(kept[0], where);
    collect(reader, child, own, 0);
    return child;
  }
  for (const auto& m : kept) collect(reader, descriptor_of(m, where), own, 0);
  doc["manifests"] = kept;
  std::string bytes = doc.dump();
  std::string type = doc.value("mediaType", std::string(media::kOciIndex));
  Digest digest = digest_of(bytes);
  own[digest] = CollectedBlob{bytes.size(), type, "", "", "", bytes, {}};
  return Descriptor{type, digest, bytes.size(), false};
}

std::vector<std::string> image_platforms(ContentReader& reader, const Descriptor& top,
                                         const std::map<Digest, CollectedBlob>& own) {
  return platforms_in(reader, own.at(top.digest).bytes);
}

}  // namespace ferry::cli

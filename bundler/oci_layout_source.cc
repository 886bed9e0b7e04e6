#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "bundler/source.h"
#include "core/bundle_error.h"
#include "core/error.h"
#include "core/file_util.h"
#include "core/media_types.h"
#include "core/names.h"

namespace ferry::cli {
namespace {

using bundle::BundleError;
using bundle::BundleErrorKind;
using nlohmann::json;

constexpr uint64_t kMaxManifest = 16 << 20;
constexpr std::string_view kRefName = "org.opencontainers.image.ref.name";

[[noreturn]] void bad_source(const std::string& where, const std::string& why) {
  throw BundleError(BundleErrorKind::kSource, where + ": " + why);
}

std::string blob_path(const std::string& dir, const Digest& d) {
  return dir + "/blobs/" + std::string(d.algorithm_name()) + "/" + d.hex();
}

// Reads a small blob (manifest, index) and checks its digest.
std::string read_checked(const std::string& dir, const Descriptor& d) {
  std::string path = blob_path(dir, d.digest);
  std::string bytes;
  try {
    bytes = read_small_file(path, kMaxManifest);
  } catch (const Error& e) {
    bad_source("oci:" + dir, std::string("cannot read ") + d.digest.str() + ": " + e.what());
  }
  if (digest_of(bytes, d.digest.algorithm()) != d.digest || bytes.size() != d.size) {
    bad_source("oci:" + dir, "blob " + d.digest.str() + " does not match its digest or size");
  }
  return bytes;
}

void add_blob(const std::string& dir, const Descriptor& d, std::map<Digest, CollectedBlob>& blobs) {
  std::string path = blob_path(dir, d.digest);
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) bad_source("oci:" + dir, "blob " + d.digest.str() + " is missing");
  if (size != d.size) {
    bad_source("oci:" + dir, "blob " + d.digest.str() + " is " + std::to_string(size) +
                                 " bytes but its descriptor says " + std::to_string(d.size));
  }
  blobs.emplace(d.digest, CollectedBlob{d.size, d.media_type, path, "", "", ""});
}

void collect(const std::string& dir, const Descriptor& d, std::map<Digest, CollectedBlob>& blobs,
             int depth) {
  if (depth > 8) bad_source("oci:" + dir, "indexes nest too deep");
  std::string bytes = read_checked(dir, d);
  ParsedManifest m;
  try {
    m = parse_manifest(bytes, d.media_type);
  } catch (const Error& e) {
    bad_source("oci:" + dir, d.digest.str() + ": " + e.what());
  }
  add_blob(dir, d, blobs);
  for (const auto& child : m.manifests) collect(dir, child, blobs, depth + 1);
  for (const auto& b : m.blobs) {
    if (!b.external) add_blob(dir, b, blobs);
  }
}

Descriptor descriptor_of(const json& j, const std::string& where) {
  auto digest = Digest::parse(j.value("digest", ""));
  if (!digest || !j.contains("size") || !j["size"].is_number_unsigned()) {
    bad_source(where, "index.json has a descriptor without a valid digest and size");
  }
  return Descriptor{j.value("mediaType", std::string(media::kOciManifest)), *digest,
                    j["size"].get<uint64_t>(), false};
}

std::string platform_of(const json& p) {
  std::string out = p.value("os", "") + "/" + p.value("architecture", "");
  if (p.contains("variant") && p["variant"].is_string())
    out += "/" + p["variant"].get<std::string>();
  return out;
}

// The platforms an image runs on: its index's entries, or its config's.
std::vector<std::string> platforms_in(const std::string& dir, const std::string& top_bytes) {
  std::vector<std::string> out;
  json doc = json::parse(top_bytes, nullptr, false);
  if (doc.contains("manifests") && doc["manifests"].is_array()) {
    for (const auto& m : doc["manifests"]) {
      if (m.contains("platform") && m["platform"].is_object())
        out.push_back(platform_of(m["platform"]));
    }
  } else if (doc.contains("config") && doc["config"].is_object()) {
    auto config = Digest::parse(doc["config"].value("digest", ""));
    if (config) {
      json c = json::parse(read_small_file(blob_path(dir, *config), kMaxManifest), nullptr, false);
      if (c.is_object() && c.contains("os")) out.push_back(platform_of(c));
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::string> platforms_of(const std::string& dir, const Descriptor& top) {
  return platforms_in(dir, read_checked(dir, top));
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "none" : out;
}

// --platform: keeps the index's children for the wanted platforms. One
// platform asked for: that child becomes the image. Several: a new index of
// the matching children is made (held in memory, like any synthesised blob).
// A single-platform image must match. Returns the image's new top.
Descriptor select_platforms(const std::string& dir, const Descriptor& top,
                            const std::vector<std::string>& wanted,
                            std::map<Digest, CollectedBlob>& own) {
  std::string where = "oci:" + dir;
  json doc = json::parse(read_checked(dir, top), nullptr, false);
  if (!doc.contains("manifests")) {
    auto have = platforms_of(dir, top);
    if (have.empty() || !platform_wanted(have.front(), wanted)) {
      bad_source(where, "the image is " + join(have) + ", not " + join(wanted));
    }
    collect(dir, top, own, 0);
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
    collect(dir, top, own, 0);
    return top;
  }
  if (wanted.size() == 1 && kept.size() == 1) {
    Descriptor child = descriptor_of(kept[0], where);
    collect(dir, child, own, 0);
    return child;
  }
  for (const auto& m : kept) collect(dir, descriptor_of(m, where), own, 0);
  doc["manifests"] = kept;
  std::string bytes = doc.dump();
  std::string type = doc.value("mediaType", std::string(media::kOciIndex));
  Digest digest = digest_of(bytes);
  own[digest] = CollectedBlob{bytes.size(), type, "", "", "", bytes};
  return Descriptor{type, digest, bytes.size(), false};
}

}  // namespace

SourceSpec parse_source(std::string_view text) {
  SourceSpec spec;
  if (auto eq = text.rfind('='); eq != std::string_view::npos) {
    spec.destination = std::string(text.substr(eq + 1));
    text = text.substr(0, eq);
  }
  if (text.substr(0, 15) == "docker-archive:") {
    spec.transport = "docker-archive";
    std::string_view rest = text.substr(15);
    // docker-archive:FILE[:REF]; REF (repo:tag) has a ':' of its own.
    if (auto colon = rest.find(':'); colon != std::string_view::npos) {
      spec.tag = std::string(rest.substr(colon + 1));
      rest = rest.substr(0, colon);
    }
    spec.location = std::string(rest);
    if (spec.location.empty()) throw std::invalid_argument("docker-archive: needs a file");
    return spec;
  }
  if (text.substr(0, 4) != "oci:") {
    throw std::invalid_argument("source '" + std::string(text) +
                                "' is not supported yet; use oci:DIR[:TAG] or "
                                "docker-archive:FILE[:REF], optionally =REPO:TAG");
  }
  spec.transport = "oci";
  std::string_view rest = text.substr(4);
  // oci:DIR:TAG, as the containers tools write it; a tag cannot contain '/'.
  if (auto colon = rest.rfind(':'); colon != std::string_view::npos &&
                                    rest.substr(colon + 1).find('/') == std::string_view::npos) {
    spec.tag = std::string(rest.substr(colon + 1));
    rest = rest.substr(0, colon);
  }
  spec.location = std::string(rest);
  if (spec.location.empty())
    throw std::invalid_argument("oci: needs a directory, e.g. oci:./layout:v1");
  return spec;
}

bool platform_wanted(const std::string& platform, const std::vector<std::string>& wanted) {
  if (wanted.empty()) return true;
  for (const auto& w : wanted) {
    if (platform == w || platform.rfind(w + "/", 0) == 0) return true;
  }
  return false;
}

void append_source_list(const std::string& file, std::vector<std::string>& sources) {
  std::string text = read_small_file(file, 16 << 20);
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    line.erase(0, line.find_first_not_of(" \t\r"));
    line.erase(line.find_last_not_of(" \t\r") + 1);
    if (!line.empty() && line[0] != '#') sources.push_back(line);
    start = end + 1;
  }
}

std::string checked_destination(const std::string& name, const std::string& source) {
  auto colon = name.rfind(':');
  if (colon == std::string::npos || !is_valid_repository_name(name.substr(0, colon)) ||
      !is_valid_tag(name.substr(colon + 1))) {
    throw std::invalid_argument("destination '" + name + "' for " + source +
                                " is not REPO:TAG (lower-case repository); name it with " + source +
                                "=REPO:TAG");
  }
  return name;
}

ResolvedImage collect_image(const SourceSpec& source, std::map<Digest, CollectedBlob>& blobs) {
  if (source.transport == "docker-archive") return collect_docker_archive(source, blobs);
  return collect_oci_image(source, blobs);
}

ResolvedImage collect_oci_image(const SourceSpec& source, std::map<Digest, CollectedBlob>& blobs) {
  const std::string& dir = source.location;
  std::string where = "oci:" + dir;
  json index;
  try {
    index = json::parse(read_small_file(dir + "/index.json", kMaxManifest));
  } catch (const std::exception& e) {
    bad_source(where, std::string("not an OCI image layout (index.json): ") + e.what());
  }
  if (!index.contains("manifests") || !index["manifests"].is_array()) {
    bad_source(where, "index.json has no manifests list");
  }
  const json* chosen = nullptr;
  std::string ref;
  for (const auto& m : index["manifests"]) {
    std::string name =
        m.contains("annotations") ? m["annotations"].value(std::string(kRefName), "") : "";
    if (source.tag ? name == *source.tag : true) {
      if (chosen && !source.tag) bad_source(where, "holds several images; name one: oci:DIR:TAG");
      chosen = &m;
      ref = name;
    }
  }
  if (!chosen) {
    bad_source(where, source.tag ? "has no image tagged '" + *source.tag + "'" : "holds no image");
  }
  Descriptor top = descriptor_of(*chosen, where);
  std::map<Digest, CollectedBlob> own;
  if (source.platforms.empty()) {
    collect(dir, top, own, 0);
  } else {
    top = select_platforms(dir, top, source.platforms, own);
  }
  uint64_t content_bytes = 0;
  for (const auto& [digest, blob] : own) content_bytes += blob.size;
  blobs.insert(own.begin(), own.end());

  std::string name = source.destination.value_or("");
  if (name.empty()) {
    std::string repo = std::filesystem::path(dir).lexically_normal().filename().string();
    if (repo.empty())
      repo = std::filesystem::absolute(dir).lexically_normal().parent_path().filename().string();
    name = repo + ":" + (source.tag ? *source.tag : ref.empty() ? "latest" : ref);
  }
  name = checked_destination(name, where + (source.tag ? ":" + *source.tag : ""));
  // A filtered index made here exists only in memory.
  const std::string& inline_top = own.at(top.digest).bytes;
  auto platforms = inline_top.empty() ? platforms_of(dir, top) : platforms_in(dir, inline_top);
  return ResolvedImage{name, top, platforms, content_bytes};
}

}  // namespace ferry::cli

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "base/error.h"
#include "bundle/error.h"
#include "bundler/content_walk.h"
#include "bundler/source.h"
#include "core/file_util.h"
#include "core/media_types.h"
#include "core/reference.h"

namespace ferry::cli {
namespace {

using bundle::BundleErrorKind;
using nlohmann::json;

constexpr uint64_t kMaxManifest = 16 << 20;
constexpr std::string_view kRefName = "org.opencontainers.image.ref.name";

// sha256-<64 hex>, optionally followed by .SUFFIX: a tag-schema tag.
bool looks_like_tag_schema(const std::string& tag) {
  constexpr size_t kHex = 64, kPrefix = 7;  // "sha256-"
  if (tag.rfind("sha256-", 0) != 0 || tag.size() < kPrefix + kHex) return false;
  for (size_t i = kPrefix; i < kPrefix + kHex; ++i) {
    if (!std::isxdigit(static_cast<unsigned char>(tag[i]))) return false;
  }
  return tag.size() == kPrefix + kHex || tag[kPrefix + kHex] == '.';
}

// Content of an OCI image layout: blobs/<algorithm>/<hex> files.
class LayoutReader : public ContentReader {
 public:
  LayoutReader(std::string dir, const json& index)
      : dir_(std::move(dir)), where_("oci:" + dir_), entries_(index["manifests"]) {}
  const std::string& where() const override { return where_; }

  std::string read_small(const Descriptor& d) override {
    std::string bytes;
    try {
      bytes = read_small_file(path_of(d.digest), kMaxManifest);
    } catch (const Error& e) {
      bad_source(where_, std::string("cannot read ") + d.digest.str() + ": " + e.what());
    }
    if (digest_of(bytes, d.digest.algorithm()) != d.digest || bytes.size() != d.size) {
      bad_source(where_, "blob " + d.digest.str() + " does not match its digest or size");
    }
    return bytes;
  }

  CollectedBlob locate(const Descriptor& d) override {
    std::string path = path_of(d.digest);
    std::error_code ec;
    auto size = std::filesystem::file_size(path, ec);
    if (ec) bad_source(where_, "blob " + d.digest.str() + " is missing");
    if (size != d.size) {
      bad_source(where_, "blob " + d.digest.str() + " is " + std::to_string(size) +
                             " bytes but its descriptor says " + std::to_string(d.size));
    }
    return CollectedBlob{d.size, d.media_type, path, "", "", "", {}};
  }

  // index.json's entries whose manifest names `subject`, and those whose
  // ref name is of the tag schema (cosign's sha256-<hex>.sig). Loose blobs
  // are not searched: skopeo and oras list what they write in index.json.
  // True for an index.json entry that is a referrer: oci:DIR without a tag
  // means the one image among them.
  bool is_referrer(const json& entry) {
    std::string ref = entry.contains("annotations") && entry["annotations"].is_object()
                          ? entry["annotations"].value(std::string(kRefName), "")
                          : "";
    if (looks_like_tag_schema(
            ref.substr(ref.rfind(':') == std::string::npos ? 0 : ref.rfind(':') + 1)))
      return true;
    std::string digest = entry.is_object() ? entry.value("digest", "") : "";
    for (const auto& [subject, d] : by_subject()) {
      if (d.digest.str() == digest) return true;
    }
    return false;
  }

  std::vector<Referrer> referrers_of(const Digest& subject) override {
    std::vector<Referrer> out;
    auto [first, last] = by_subject().equal_range(subject);
    for (auto it = first; it != last; ++it) out.push_back(Referrer{it->second, subject, "", ""});
    std::string index_tag;
    for (const auto& tag : tag_schema_tags(tag_names(), subject, &index_tag)) {
      out.push_back(Referrer{tagged_.at(tag), subject, "", tag});
    }
    if (!index_tag.empty()) {
      auto listed = referrers_in_index(read_small(tagged_.at(index_tag)), subject, where_);
      out.insert(out.end(), listed.begin(), listed.end());
    }
    return out;
  }

 private:
  // Every readable manifest entry by the subject it names, read once.
  const std::multimap<Digest, Descriptor>& by_subject() {
    if (subjects_) return *subjects_;
    subjects_.emplace();
    for (const auto& e : entries_) {
      try {
        Descriptor d = descriptor_of(e, where_);
        if (!media::is_manifest(d.media_type)) continue;
        ParsedManifest m = parse_manifest(read_small(d), d.media_type);
        if (m.subject) subjects_->emplace(m.subject->digest, d);
      } catch (const std::exception&) {
        // not readable as a manifest: other content of the layout, not a referrer
      }
    }
    return *subjects_;
  }

  // The tags of index.json's ref names (the part after the last ':' of a
  // whole reference), with what each names.
  const std::vector<std::string>& tag_names() {
    if (tags_) return *tags_;
    tags_.emplace();
    for (const auto& e : entries_) {
      std::string ref = e.contains("annotations") && e["annotations"].is_object()
                            ? e["annotations"].value(std::string(kRefName), "")
                            : "";
      std::string tag = ref.substr(ref.rfind(':') == std::string::npos ? 0 : ref.rfind(':') + 1);
      if (tag.empty()) continue;
      try {
        tagged_.emplace(tag, descriptor_of(e, where_));
        tags_->push_back(tag);
      } catch (const Error& err) {
        if (!err.code_in<BundleErrorKind>()) throw;
        // a bad entry is no referrer; the image's own was checked already
      }
    }
    return *tags_;
  }

  std::string path_of(const Digest& d) const {
    return dir_ + "/blobs/" + std::string(d.algorithm_name()) + "/" + d.hex();
  }
  std::string dir_, where_;
  json entries_;
  std::optional<std::multimap<Digest, Descriptor>> subjects_;
  std::map<std::string, Descriptor> tagged_;
  std::optional<std::vector<std::string>> tags_;
};

// An image's name when no =DEST is given: a ref.name that is a whole
// reference with its host (what `skopeo copy … oci:DIR:quay.io/org/app:v1`
// writes, or a bundle's own index) keeps that name; else the directory's
// name and the tag.
std::string default_name(const std::string& dir, const std::optional<std::string>& tag,
                         const std::string& ref) {
  if (names_registry_host(ref)) {
    try {
      if (auto kept = parse_reference(ref).kept_name()) return *kept;
    } catch (const std::invalid_argument&) {
      // not a reference after all: named like any other tag
    }
  }
  std::string repo = std::filesystem::path(dir).lexically_normal().filename().string();
  if (repo.empty())
    repo = std::filesystem::absolute(dir).lexically_normal().parent_path().filename().string();
  return repo + ":" + (tag ? *tag : ref.empty() ? "latest" : ref);
}

}  // namespace

bool platform_wanted(const std::string& platform, const std::vector<std::string>& wanted) {
  if (wanted.empty()) return true;
  for (const auto& w : wanted) {
    if (platform == w || platform.rfind(w + "/", 0) == 0) return true;
  }
  return false;
}

ResolvedImage collect_image(const SourceSpec& source, std::map<Digest, CollectedBlob>& blobs) {
  if (source.transport == "docker-archive") return collect_docker_archive(source, blobs);
  if (source.transport == "docker") return collect_registry_image(source, blobs);
  if (source.transport == "chart") return collect_chart(source, blobs);
  if (source.transport == "file") return collect_file(source, blobs);
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
  LayoutReader reader(dir, index);
  const json* chosen = nullptr;
  std::string ref;
  for (const auto& m : index["manifests"]) {
    std::string name =
        m.contains("annotations") ? m["annotations"].value(std::string(kRefName), "") : "";
    if (source.tag ? name == *source.tag : !reader.is_referrer(m)) {
      if (chosen && !source.tag) bad_source(where, "holds several images; name one: oci:DIR:TAG");
      chosen = &m;
      ref = name;
    }
  }
  if (!chosen) {
    bad_source(where, source.tag ? "has no image tagged '" + *source.tag + "'" : "holds no image");
  }
  Descriptor top = descriptor_of(*chosen, where + " index.json");
  std::map<Digest, CollectedBlob> own;
  top = collect_content(reader, top, source.platforms, own);
  uint64_t content_bytes = 0;
  for (const auto& [digest, blob] : own) content_bytes += blob.size;
  auto platforms = image_platforms(reader, top, own);
  std::vector<Referrer> referrers;
  if (source.referrers) referrers = collect_referrers(reader, manifests_in(own), own);
  blobs.insert(own.begin(), own.end());

  std::string name = source.destination.value_or(default_name(dir, source.tag, ref));
  name = checked_destination(name, where + (source.tag ? ":" + *source.tag : ""));
  return ResolvedImage{name, top, platforms, content_bytes, std::move(referrers)};
}

}  // namespace ferry::cli

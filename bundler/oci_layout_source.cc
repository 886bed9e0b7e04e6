#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "bundler/content_walk.h"
#include "bundler/source.h"
#include "core/bundle_error.h"
#include "core/error.h"
#include "core/file_util.h"
#include "core/media_types.h"
#include "core/reference.h"

namespace ferry::cli {
namespace {

using bundle::BundleError;
using bundle::BundleErrorKind;
using nlohmann::json;

constexpr uint64_t kMaxManifest = 16 << 20;
constexpr std::string_view kRefName = "org.opencontainers.image.ref.name";

// Content of an OCI image layout: blobs/<algorithm>/<hex> files.
class LayoutReader : public ContentReader {
 public:
  explicit LayoutReader(std::string dir) : dir_(std::move(dir)), where_("oci:" + dir_) {}
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

 private:
  std::string path_of(const Digest& d) const {
    return dir_ + "/blobs/" + std::string(d.algorithm_name()) + "/" + d.hex();
  }
  std::string dir_, where_;
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
  Descriptor top = descriptor_of(*chosen, where + " index.json");
  LayoutReader reader(dir);
  std::map<Digest, CollectedBlob> own;
  top = collect_content(reader, top, source.platforms, own);
  uint64_t content_bytes = 0;
  for (const auto& [digest, blob] : own) content_bytes += blob.size;
  blobs.insert(own.begin(), own.end());

  std::string name = source.destination.value_or(default_name(dir, source.tag, ref));
  name = checked_destination(name, where + (source.tag ? ":" + *source.tag : ""));
  return ResolvedImage{name, top, image_platforms(reader, top, own), content_bytes};
}

}  // namespace ferry::cli

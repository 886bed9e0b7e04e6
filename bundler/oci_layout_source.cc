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
#include "core/names.h"

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

// Takes "…<sep>TAG" at `at` off `rest` into spec.tag; returns what is left.
std::string_view take_tag(std::string_view rest, size_t at, SourceSpec& spec) {
  spec.tag = std::string(rest.substr(at + 1));
  return rest.substr(0, at);
}

}  // namespace

SourceSpec parse_source(std::string_view text) {
  SourceSpec spec;
  if (auto eq = text.rfind('='); eq != std::string_view::npos) {
    spec.destination = std::string(text.substr(eq + 1));
    text = text.substr(0, eq);
  }
  if (text.substr(0, 9) == "docker://") {
    spec.transport = "docker";
    std::string_view rest = text.substr(9);
    // HOST[:PORT]/REPO[:TAG|@DIGEST]: a tag's ':' comes after the last '/'.
    if (auto at = rest.find('@'); at != std::string_view::npos) {
      rest = take_tag(rest, at, spec);
    } else if (auto colon = rest.rfind(':');
               colon != std::string_view::npos &&
               rest.substr(colon + 1).find('/') == std::string_view::npos &&
               rest.substr(0, colon).find('/') != std::string_view::npos) {
      rest = take_tag(rest, colon, spec);
    }
    spec.location = std::string(rest);
    if (spec.location.find('/') == std::string::npos) {
      throw std::invalid_argument(
          "docker://" + spec.location +
          " needs a registry host, e.g. docker://registry.local:5000/app:v1");
    }
    return spec;
  }
  if (text.substr(0, 15) == "docker-archive:") {
    spec.transport = "docker-archive";
    std::string_view rest = text.substr(15);
    // docker-archive:FILE[:REF]; REF (repo:tag) has a ':' of its own.
    if (auto colon = rest.find(':'); colon != std::string_view::npos) {
      rest = take_tag(rest, colon, spec);
    }
    spec.location = std::string(rest);
    if (spec.location.empty()) throw std::invalid_argument("docker-archive: needs a file");
    return spec;
  }
  if (text.substr(0, 4) != "oci:") {
    throw std::invalid_argument("source '" + std::string(text) +
                                "' is not supported; use docker://HOST/REPO[:TAG|@DIGEST], "
                                "oci:DIR[:TAG] or docker-archive:FILE[:REF], optionally =REPO:TAG");
  }
  spec.transport = "oci";
  std::string_view rest = text.substr(4);
  // oci:DIR:TAG, as the containers tools write it; a tag cannot contain '/'.
  if (auto colon = rest.rfind(':'); colon != std::string_view::npos &&
                                    rest.substr(colon + 1).find('/') == std::string_view::npos) {
    rest = take_tag(rest, colon, spec);
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
  if (source.transport == "docker") return collect_registry_image(source, blobs);
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

  std::string name = source.destination.value_or("");
  if (name.empty()) {
    std::string repo = std::filesystem::path(dir).lexically_normal().filename().string();
    if (repo.empty())
      repo = std::filesystem::absolute(dir).lexically_normal().parent_path().filename().string();
    name = repo + ":" + (source.tag ? *source.tag : ref.empty() ? "latest" : ref);
  }
  name = checked_destination(name, where + (source.tag ? ":" + *source.tag : ""));
  return ResolvedImage{name, top, image_platforms(reader, top, own), content_bytes};
}

}  // namespace ferry::cli

// docker-archive: sources, the output of `docker save` and `podman save`.
// Such archives hold layer tars and a config, named in manifest.json (which
// usually comes last), but no registry manifest: one is synthesised here over
// the unchanged config and layer bytes, so the image keeps its ID. It is an
// OCI image manifest (as skopeo makes when it copies such an archive), since
// the bundle must stay an OCI layout that stock tools read. Nothing is extracted: pass 1 hashes the
// members, and pack streams each member from the archive straight into the bundle.
#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "bundle/error.h"
#include "bundler/source.h"
#include "core/media_types.h"
#include "core/reference.h"

namespace ferry::cli {
namespace {

using bundle::BundleErrorKind;
using nlohmann::json;

constexpr uint64_t kMaxSmallMember = 16 << 20;  // manifest.json, the config

struct Member {
  Digest digest = digest_of("");
  uint64_t size = 0;
  std::string compression;  // "", "gzip" or "zstd", from the magic bytes
  std::string bytes;        // kept for manifest.json only
};

struct Scan {
  std::map<std::string, Member> members;
  std::map<std::string, std::string> links;  // link name -> target member name
};

[[noreturn]] void bad(const std::string& file, const std::string& why) {
  throw Error(BundleErrorKind::kSource, "docker-archive:" + file + ": " + why);
}

struct ArchiveFree {
  void operator()(archive* a) const { archive_read_free(a); }
};

std::unique_ptr<archive, ArchiveFree> open_archive(const std::string& file) {
  std::unique_ptr<archive, ArchiveFree> a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_filename(a.get(), file.c_str(), 1 << 20) != ARCHIVE_OK) {
    bad(file, std::string("cannot read: ") + archive_error_string(a.get()));
  }
  return a;
}

std::string normalise(const std::string& dir, const std::string& target) {
  return (std::filesystem::path(dir) / target).lexically_normal().string();
}

// Pass 1: every regular member's digest and size; symlinks by name.
Scan scan(const std::string& file) {
  Scan out;
  auto a = open_archive(file);
  archive_entry* e = nullptr;
  std::string buf(1 << 20, '\0');
  while (true) {
    int rc = archive_read_next_header(a.get(), &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) bad(file, archive_error_string(a.get()));
    std::string name = std::filesystem::path(archive_entry_pathname(e)).lexically_normal().string();
    if (archive_entry_filetype(e) == AE_IFLNK) {
      std::string dir = std::filesystem::path(name).parent_path().string();
      out.links[name] = normalise(dir, archive_entry_symlink(e));
      continue;
    }
    if (archive_entry_hardlink(e)) {
      out.links[name] =
          std::filesystem::path(archive_entry_hardlink(e)).lexically_normal().string();
      continue;
    }
    if (archive_entry_filetype(e) != AE_IFREG) continue;
    Member m;
    Hasher h;
    // Only manifest.json is kept: holding every small member would make
    // memory grow with the archive.
    bool keep = name == "manifest.json" &&
                archive_entry_size(e) <= static_cast<la_int64_t>(kMaxSmallMember);
    while (true) {
      la_ssize_t n = archive_read_data(a.get(), buf.data(), buf.size());
      if (n < 0) bad(file, archive_error_string(a.get()));
      if (n == 0) break;
      if (m.size == 0 && n >= 4) {
        auto* b = reinterpret_cast<const unsigned char*>(buf.data());
        if (b[0] == 0x1f && b[1] == 0x8b) m.compression = "gzip";
        if (b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd) m.compression = "zstd";
      }
      h.update(buf.data(), static_cast<size_t>(n));
      if (keep) m.bytes.append(buf.data(), static_cast<size_t>(n));
      m.size += static_cast<uint64_t>(n);
    }
    m.digest = h.digest();
    out.members[name] = std::move(m);
  }
  return out;
}

const Member& resolve(const Scan& s, const std::string& file, std::string name, std::string* real) {
  name = std::filesystem::path(name).lexically_normal().string();
  for (int hops = 0; hops < 8; ++hops) {
    if (auto it = s.members.find(name); it != s.members.end()) {
      *real = name;
      return it->second;
    }
    auto link = s.links.find(name);
    if (link == s.links.end()) break;
    name = link->second;
  }
  bad(file, "manifest.json names '" + name + "', which is not in the archive");
}

// A RepoTags entry or a wanted REF, normalised so that docker save's
// "nginx:1.25" and podman save's "docker.io/library/nginx:1.25" are one
// image; nullopt for what is no reference.
std::optional<ImageReference> as_reference(const std::string& text) {
  try {
    return parse_reference(text);
  } catch (const std::invalid_argument&) {
    return std::nullopt;
  }
}

bool same_image(const std::string& repo_tag, const std::string& wanted) {
  if (repo_tag == wanted) return true;
  auto a = as_reference(repo_tag), b = as_reference(wanted);
  return a && b && a->str() == b->str();
}

// The manifest.json entry of the wanted image (the only one when none is
// named) and the RepoTags entry it was found by.
const json& choose_image(const json& doc, const SourceSpec& source, std::string* chosen_tag) {
  const std::string& file = source.location;
  const json* chosen = nullptr;
  for (const auto& image : doc) {
    std::vector<std::string> tags;
    if (image.contains("RepoTags") && image["RepoTags"].is_array()) {
      for (const auto& t : image["RepoTags"]) {
        if (t.is_string()) tags.push_back(t.get<std::string>());
      }
    }
    if (source.tag) {
      for (const auto& t : tags) {
        if (!chosen && same_image(t, *source.tag)) {
          chosen = &image;
          *chosen_tag = t;
        }
      }
    } else {
      if (chosen) bad(file, "holds several images; name one: docker-archive:FILE:REPO:TAG");
      chosen = &image;
      *chosen_tag = tags.empty() ? "" : tags.front();
    }
  }
  if (!chosen) bad(file, "has no image tagged '" + source.tag.value_or("") + "'");
  if (!chosen->contains("Config") || !(*chosen)["Config"].is_string() ||
      !chosen->contains("Layers") || !(*chosen)["Layers"].is_array()) {
    bad(file, "manifest.json entry lacks Config or Layers");
  }
  return *chosen;
}

// The image config's bytes, read whole (it is small: kMaxSmallMember).
json read_config(const std::string& file, const Member& config, const std::string& config_name) {
  if (config.size > kMaxSmallMember) bad(file, "the image config is implausibly large");
  std::string config_bytes(config.size, '\0');
  MemberStream reader(file, config_name);
  size_t done = 0;
  while (done < config_bytes.size()) {
    size_t n = reader.read(config_bytes.data() + done, config_bytes.size() - done);
    if (n == 0) bad(file, "the image config ends early");
    done += n;
  }
  json config_doc = json::parse(config_bytes, nullptr, false);
  if (!config_doc.is_object()) bad(file, "the image config is not JSON");
  return config_doc;
}

// The OS/ARCH[/VARIANT] the config names (none if it names none), checked
// against --platform.
std::vector<std::string> image_platforms(const json& config_doc, const SourceSpec& source) {
  std::vector<std::string> platforms;
  if (config_doc.contains("os") && config_doc.contains("architecture")) {
    std::string p = config_doc.value("os", "") + "/" + config_doc.value("architecture", "");
    if (config_doc.contains("variant") && config_doc["variant"].is_string()) {
      p += "/" + config_doc["variant"].get<std::string>();
    }
    platforms.push_back(p);
  }
  if (!source.platforms.empty() &&
      (platforms.empty() || !platform_wanted(platforms.front(), source.platforms))) {
    bad(source.location,
        "the image is " +
            (platforms.empty() ? std::string("of unknown platform") : platforms.front()) +
            ", not one of the --platform values");
  }
  return platforms;
}

// The name the image is kept under: SOURCE=REPO:TAG, else its RepoTags
// entry as docker reads it ("nginx:1.25" is docker.io/library/nginx:1.25,
// podman's "localhost/app:v1" stays).
std::string kept_name(const SourceSpec& source, const std::string& chosen_tag) {
  auto ref = as_reference(chosen_tag);
  auto kept = source.destination ? source.destination : ref ? ref->kept_name() : std::nullopt;
  if (!kept) {
    throw std::invalid_argument(
        "docker-archive:" + source.location +
        (chosen_tag.empty() ? " has no tag for its image"
                            : " tags its image '" + chosen_tag + "', which is no reference") +
        "; name it with " + source.text + "=REPO:TAG");
  }
  return *kept;
}

}  // namespace

ResolvedImage collect_docker_archive(const SourceSpec& source,
                                     std::map<Digest, CollectedBlob>& blobs) {
  const std::string& file = source.location;
  Scan s = scan(file);
  auto manifest_it = s.members.find("manifest.json");
  if (manifest_it == s.members.end()) bad(file, "no manifest.json: not a docker save archive");
  json doc = json::parse(manifest_it->second.bytes, nullptr, false);
  if (!doc.is_array() || doc.empty()) bad(file, "manifest.json lists no image");
  std::string chosen_tag;
  const json& chosen = choose_image(doc, source, &chosen_tag);

  std::string config_name;
  const Member& config = resolve(s, file, chosen["Config"].get<std::string>(), &config_name);
  json config_doc = read_config(file, config, config_name);
  const std::string config_type = "application/vnd.oci.image.config.v1+json";

  std::map<Digest, CollectedBlob> own;
  own[config.digest] = CollectedBlob{config.size, config_type, "", file, config_name, "", {}};
  json layers = json::array();
  for (const auto& l : chosen["Layers"]) {
    if (!l.is_string()) bad(file, "a Layers entry is not a string");
    std::string real;
    const Member& layer = resolve(s, file, l.get<std::string>(), &real);
    std::string type = "application/vnd.oci.image.layer.v1.tar";
    if (!layer.compression.empty()) type += "+" + layer.compression;
    layers.push_back({{"mediaType", type}, {"size", layer.size}, {"digest", layer.digest.str()}});
    own[layer.digest] = CollectedBlob{layer.size, type, "", file, real, "", {}};
  }
  std::string manifest = json{
      {"schemaVersion", 2},
      {"mediaType", media::kOciManifest},
      {"config",
       {{"mediaType", config_type}, {"size", config.size}, {"digest", config.digest.str()}}},
      {"layers", layers}}.dump();
  Digest manifest_digest = digest_of(manifest);
  own[manifest_digest] =
      CollectedBlob{manifest.size(), std::string(media::kOciManifest), "", "", "", manifest, {}};

  uint64_t content_bytes = 0;
  for (const auto& [d, b] : own) content_bytes += b.size;
  blobs.insert(own.begin(), own.end());

  std::string name = kept_name(source, chosen_tag);
  std::vector<std::string> platforms = image_platforms(config_doc, source);
  Descriptor top{std::string(media::kOciManifest), manifest_digest, manifest.size(), false};
  // An archive carries no referrers.
  return ResolvedImage{
      checked_destination(name, "docker-archive:" + file), top, platforms, content_bytes, {}};
}

MemberStream::MemberStream(const std::string& archive_file, const std::string& member) {
  auto a = open_archive(archive_file);
  archive_entry* e = nullptr;
  while (archive_read_next_header(a.get(), &e) == ARCHIVE_OK) {
    if (std::filesystem::path(archive_entry_pathname(e)).lexically_normal().string() == member) {
      archive_ = a.release();
      return;
    }
  }
  bad(archive_file, "member " + member + " vanished since the archive was read");
}

MemberStream::~MemberStream() {
  if (archive_) archive_read_free(archive_);
}

size_t MemberStream::read(char* buf, size_t max) {
  la_ssize_t n = archive_read_data(archive_, buf, max);
  if (n < 0) throw Error(BundleErrorKind::kSource, archive_error_string(archive_));
  return static_cast<size_t>(n);
}

}  // namespace ferry::cli

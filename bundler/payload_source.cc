// chart:FILE.tgz and file:PATH sources: content that is not an image,
// made into the OCI artifacts helm and oras read (docs/payload.md). The
// chart, the file, or a folder's tar.gz stream into the bundle from disk;
// only manifests and configs are held in memory.
#include <sys/stat.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <stdexcept>

#include "base/error.h"
#include "bundler/content_walk.h"
#include "bundler/file_artifact.h"
#include "bundler/helm_chart.h"
#include "bundler/source.h"
#include "core/media_types.h"
#include "core/printable.h"
#include "core/units.h"

namespace ferry::cli {
namespace {

int scratch_files = 0;  // names the folder archives of one pack

struct stat stat_source(const std::string& where, const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    bad_source(where, std::string("cannot read it: ") + std::strerror(errno));
  }
  return st;
}

// Adds a blob held in memory and returns its descriptor.
Descriptor add_bytes(std::map<Digest, CollectedBlob>& own, std::string_view type,
                     std::string bytes) {
  Descriptor d{std::string(type), digest_of(bytes), bytes.size(), false};
  own[d.digest] = CollectedBlob{d.size, d.media_type, "", "", "", std::move(bytes), {}};
  return d;
}

// Adds a file on disk, hashed now and streamed when the bundle is written.
Descriptor add_file(std::map<Digest, CollectedBlob>& own, std::string_view type,
                    const std::string& path) {
  files::HashedFile h = files::hash_file(path);
  Descriptor d{std::string(type), h.digest, h.size, false};
  own[d.digest] = CollectedBlob{d.size, d.media_type, path, "", "", "", {}};
  return d;
}

ResolvedImage finish(const std::string& name, const std::string& manifest,
                     std::map<Digest, CollectedBlob>& own, std::map<Digest, CollectedBlob>& blobs) {
  Descriptor top = add_bytes(own, media::kOciManifest, manifest);
  uint64_t content_bytes = 0;
  for (const auto& [digest, blob] : own) content_bytes += blob.size;
  blobs.insert(own.begin(), own.end());
  return ResolvedImage{name, top, {}, content_bytes};
}

std::string chart_name(const SourceSpec& source, const helm::ChartMetadata& chart,
                       const std::string& where) {
  if (source.destination) return checked_destination(*source.destination, where);
  std::string repo =
      source.chart_prefix.empty() ? chart.name : source.chart_prefix + "/" + chart.name;
  std::string tag = helm::tag_for_version(chart.version);
  try {
    return checked_destination(repo + ":" + tag, where);
  } catch (const std::invalid_argument&) {
    bad_source(where, "the chart " + chart.name + " " + chart.version + " cannot be stored as " +
                          repo + ":" + tag + "; name it " + source.text + "=REPO:TAG");
  }
}

files::Layer file_layer(const SourceSpec& source, std::map<Digest, CollectedBlob>& own) {
  return {add_file(own, media::kOrasFileLayer, source.location), {}};
}

// A folder: one tar.gz made in the scratch folder, which `oras pull`
// unpacks; `mtime` becomes the newest time in it.
files::Layer folder_layer(const SourceSpec& source, const std::string& title,
                          std::map<Digest, CollectedBlob>& own, int64_t& mtime) {
  std::string where = "file:" + source.location;
  std::string out = source.scratch_dir + "/" + std::to_string(++scratch_files) + ".tar.gz";
  std::optional<files::FolderArchive> folder;
  try {
    folder = files::write_folder_archive(source.location, title, out);
  } catch (const std::invalid_argument& e) {
    bad_source(where, e.what());
  }
  files::Layer layer{{std::string(media::kOrasFolderLayer), folder->digest, folder->size, false},
                     {{std::string(media::kOrasDigestAnnotation), folder->tar_digest.str()},
                      {std::string(media::kOrasUnpackAnnotation), "true"}}};
  own[folder->digest] =
      CollectedBlob{folder->size, layer.descriptor.media_type, out, "", "", "", {}};
  mtime = folder->newest_mtime;
  return layer;
}

[[noreturn]] files::Layer bad_layer(const std::string& where) {
  bad_source(where, "is neither a file nor a folder");
}

// The download's name: the file's or folder's own. It travels in
// sha256sum listings, Content-Disposition-less curl -O and error lines, so
// control characters (a newline adds a line) are refused.
std::string file_title(const std::string& location, const std::string& where) {
  namespace fs = std::filesystem;
  std::string title = fs::path(location).lexically_normal().filename().string();
  if (title.empty() || title == "." || title == "..") {
    title = fs::absolute(location).lexically_normal().parent_path().filename().string();
  }
  if (title.empty()) bad_source(where, "has no name to give the download");
  for (unsigned char c : title) {
    if (c < 0x20 || c == 0x7f) {
      bad_source(where, "its name holds a control character; rename it");
    }
  }
  return title;
}

}  // namespace

ResolvedImage collect_chart(const SourceSpec& source, std::map<Digest, CollectedBlob>& blobs) {
  const std::string& path = source.location;
  std::string where = "chart:" + path;
  struct stat st = stat_source(where, path);
  if (!S_ISREG(st.st_mode)) bad_source(where, "is not a file; give the .tgz helm package makes");
  // helm push dates a chart by its archive's modification time.
  std::string created = format_utc(st.st_mtime);
  helm::ChartMetadata chart;
  try {
    chart = helm::read_chart_metadata(helm::chart_yaml_in(path), created);
  } catch (const std::invalid_argument& e) {
    bad_source(where, e.what());
  }
  std::map<Digest, CollectedBlob> own;
  Descriptor config = add_bytes(own, helm::kConfigMediaType, chart.config_json);
  std::vector<Descriptor> layers{add_file(own, helm::kChartMediaType, path)};
  // A signed chart's FILE.tgz.prov goes along, as with helm push.
  if (struct stat prov{}; ::stat((path + ".prov").c_str(), &prov) == 0) {
    layers.push_back(add_file(own, helm::kProvenanceMediaType, path + ".prov"));
  }
  std::string name = chart_name(source, chart, where);
  return finish(name, helm::chart_manifest(config, layers, chart.annotations), own, blobs);
}

ResolvedImage collect_file(const SourceSpec& source, std::map<Digest, CollectedBlob>& blobs) {
  std::string where = "file:" + printable(source.location);
  struct stat st = stat_source(where, source.location);
  std::string title = file_title(source.location, where);
  std::string name = source.destination.value_or("");
  if (name.empty()) {
    std::string repo = files::default_repository(title);
    if (repo.empty()) {
      throw std::invalid_argument(where + " has no name usable as a repository; name it " +
                                  source.text + "=REPO:TAG");
    }
    name = repo + ":latest";
  }
  name = checked_destination(name, where);

  std::map<Digest, CollectedBlob> own;
  add_bytes(own, media::kEmptyConfig, std::string(files::kEmptyConfigBytes));
  int64_t mtime = st.st_mtime;
  files::Layer layer = S_ISREG(st.st_mode)   ? file_layer(source, own)
                       : S_ISDIR(st.st_mode) ? folder_layer(source, title, own, mtime)
                                             : bad_layer(where);
  layer.annotations[std::string(media::kTitleAnnotation)] = title;
  // Dated by the content, not the packing, so packing it again gives the
  // same manifest.
  return finish(name, files::artifact_manifest({layer}, format_utc(mtime)), own, blobs);
}

}  // namespace ferry::cli

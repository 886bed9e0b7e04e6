#include "bundler/pack.h"

#include <fcntl.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <tuple>

#include "base/error.h"
#include "bundle/error.h"
#include "bundle/format.h"
#include "bundle/writer.h"
#include "bundler/delta.h"
#include "bundler/exit_codes.h"
#include "bundler/key_files.h"
#include "bundler/registry_client.h"
#include "bundler/source.h"
#include "core/file_util.h"
#include "core/printable.h"
#include "core/progress.h"
#include "core/units.h"
#include "signing/keys.h"
#include "signing/signature.h"

namespace ferry::cli {
namespace {

// --expires as the manifest's RFC 3339 time; empty when not given.
std::string expiry_time(const std::string& expires, int64_t created) {
  if (expires.empty()) return "";
  if (auto d = parse_duration(expires)) return format_utc(created + d->count());
  if (auto t = parse_utc(expires)) return format_utc(*t);
  throw std::invalid_argument("--expires '" + expires +
                              "' is neither a duration (90d, 12h) nor an RFC 3339 UTC time "
                              "(2027-01-31T00:00:00Z)");
}

// The manifest's entry of a referrer of `image`.
bundle::ReferrerEntry referrer_entry(const Referrer& r) {
  return {r.descriptor.digest, r.descriptor.size, r.descriptor.media_type,
          r.subject,           r.artifact_type,   r.tag};
}

// The image's entry, with its referrers sorted by digest (then tag). A
// tag-schema referrer whose REPO:TAG is itself packed as an image is left
// to that image.
bundle::ImageEntry image_entry(const ResolvedImage& i, const std::set<std::string>& names) {
  bundle::ImageEntry e{i.name,      i.top.digest,    i.top.size, i.top.media_type,
                       i.platforms, i.content_bytes, {}};
  for (const auto& r : i.referrers) {
    if (!r.tag.empty() && names.count(bundle::repository_of(i.name) + ":" + r.tag)) continue;
    e.referrers.push_back(referrer_entry(r));
  }
  std::sort(e.referrers.begin(), e.referrers.end(), [](const auto& a, const auto& b) {
    return std::tie(a.digest, a.tag) < std::tie(b.digest, b.tag);
  });
  return e;
}

// A folder beside the bundle for what pack makes on disk (a folder's
// tar.gz), where there is room for the bundle anyway; removed with all it
// holds when the pack ends, however it ends.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& output) {
    std::string tmpl = parent_dir(output) + "/.ferry-pack-XXXXXX";
    if (!::mkdtemp(tmpl.data()))
      throw_errno("cannot make a scratch folder beside " + output, errno);
    path_ = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Every source, from the command line and then the -f list, parsed before
// any work so that a bad one is refused at once.
std::vector<SourceSpec> gather_sources(const PackOptions& options) {
  std::vector<SourceSpec> specs;
  for (const auto& text : options.sources) specs.push_back(parse_source(text));
  if (!options.list_file.empty()) {
    auto listed = read_source_list(options.list_file);
    specs.insert(specs.end(), listed.begin(), listed.end());
  }
  if (specs.empty()) throw std::invalid_argument("pack needs at least one SOURCE (or -f LIST)");
  for (auto& spec : specs) {
    spec.platforms = options.platforms;
    spec.referrers = !options.no_referrers;
    spec.insecure = options.insecure;
    spec.ca_file = options.ca_file;
    spec.chart_prefix = options.chart_prefix;
  }
  return specs;
}

// The files of an earlier bundle at OUT: OUT itself and volumes OUT.001...
std::vector<std::string> earlier_outputs(const std::string& out) {
  std::vector<std::string> found;
  if (path_exists(out)) found.push_back(out);
  for (size_t n = 1; n <= 999; ++n) {
    if (path_exists(bundle::volume_name(out, n))) found.push_back(bundle::volume_name(out, n));
  }
  return found;
}

// A new bundle never silently replaces an earlier one; with --force, the
// earlier files it did not overwrite go (a stale OUT.004 would otherwise
// read as part of a new three-volume bundle).
void remove_stale(const std::vector<std::string>& earlier, const std::vector<std::string>& now) {
  for (const auto& f : earlier) {
    if (std::find(now.begin(), now.end(), f) == now.end()) remove_file(f);
  }
}

std::string source_label(const SourceSpec& spec) {
  return spec.origin.empty() ? spec.text : spec.origin + " (" + spec.text + ")";
}

// Collects every source's image and content, in name order, and refuses two
// sources that give the same name.
std::vector<ResolvedImage> collect_images(const std::vector<SourceSpec>& specs,
                                          std::map<Digest, CollectedBlob>& blobs) {
  std::vector<ResolvedImage> images;
  std::map<std::string, std::string> source_of;  // name -> the source that gave it
  for (const auto& spec : specs) {
    std::optional<ResolvedImage> image;
    with_origin(spec.origin, [&] { image = collect_image(spec, blobs); });
    auto [it, fresh] = source_of.emplace(image->name, source_label(spec));
    if (!fresh) {
      throw std::invalid_argument("two sources are both named " + image->name + ": " + it->second +
                                  " and " + source_label(spec) + "; name one with SOURCE=REPO:TAG");
    }
    std::printf("image %s <- %s\n", printable(image->name).c_str(),
                printable(source_label(spec)).c_str());
    for (const auto& r : image->referrers) {
      std::printf("  referrer %s %s%s\n", r.descriptor.digest.str().c_str(),
                  r.artifact_type.empty() ? "-" : printable(r.artifact_type).c_str(),
                  r.tag.empty() ? "" : (" (tag " + printable(r.tag) + ")").c_str());
    }
    images.push_back(std::move(*image));
  }
  std::sort(images.begin(), images.end(),
            [](const ResolvedImage& a, const ResolvedImage& b) { return a.name < b.name; });
  return images;
}

// A delta leaves out what the site has and lists it as required instead;
// import refuses the bundle unless those blobs are already there. Returns
// the digests taken out of `blobs`, sorted.
std::vector<Digest> leave_out_site_blobs(const PackOptions& options,
                                         std::map<Digest, CollectedBlob>& blobs) {
  std::set<Digest> on_site;
  if (!options.base_bundle.empty()) on_site = blobs_of_base_bundle(options.base_bundle);
  if (!options.base_inventory.empty()) {
    auto more = blobs_of_inventory(options.base_inventory, options.receipt_key);
    on_site.insert(more.begin(), more.end());
  }
  std::vector<Digest> required;
  for (auto it = blobs.begin(); it != blobs.end();) {
    if (on_site.count(it->first)) {
      required.push_back(it->first);
      it = blobs.erase(it);
    } else {
      ++it;
    }
  }
  return required;
}

// The signed manifest; `index` is filled in with the OCI layout's index.
bundle::Manifest make_manifest(const PackOptions& options, const std::vector<ResolvedImage>& images,
                               const std::map<Digest, CollectedBlob>& blobs,
                               std::vector<Digest> required, int64_t mtime, std::string created,
                               std::string& index) {
  bundle::Manifest manifest;
  manifest.created = std::move(created);
  manifest.channel = options.channel;
  // Without --sequence, bundles of a channel still order by when they were
  // made, so import's rollback protection works without any bookkeeping.
  manifest.sequence = options.sequence.value_or(static_cast<uint64_t>(mtime));
  manifest.expires = expiry_time(options.expires, mtime);
  std::set<std::string> names;
  for (const auto& i : images) names.insert(i.name);
  for (const auto& i : images) manifest.images.push_back(image_entry(i, names));
  index = bundle::layout_index(manifest);
  for (const auto& [digest, blob] : blobs)
    manifest.blobs.push_back({digest, blob.size, blob.media_type});
  manifest.requires_ = std::move(required);  // sorted: taken from a sorted map
  manifest.index_digest = digest_of(index);
  manifest.index_size = index.size();
  manifest.assign_id();
  return manifest;
}

std::string blob_origin(const CollectedBlob& blob, const Digest& digest) {
  if (blob.registry.client) {
    return "docker://" + blob.registry.client->host() + "/" + blob.registry.repository + "@" +
           digest.str();
  }
  return blob.member.empty() ? blob.path : blob.archive + ":" + blob.member;
}

// Streams one blob from wherever it was found into the bundle, checking
// its digest on the way.
void write_blob(bundle::BundleWriter& writer, Progress& progress, const Digest& digest,
                const CollectedBlob& blob) {
  std::string entry = bundle::blob_entry_name(digest);
  Digest actual = digest;
  if (!blob.bytes.empty()) {
    writer.add_bytes(entry, blob.bytes);  // synthesised here, digest known
    progress.add(blob.bytes.size());
  } else if (blob.registry.client) {
    BlobDownload download(blob.registry.client, blob.registry.repository, digest);
    actual = writer.add_stream(entry, blob.size, digest.algorithm(),
                               [&](char* buf, size_t max) { return download.read(buf, max); });
  } else if (!blob.member.empty()) {
    MemberStream member(blob.archive, blob.member);
    actual = writer.add_stream(entry, blob.size, digest.algorithm(),
                               [&](char* buf, size_t max) { return member.read(buf, max); });
  } else {
    UniqueFd fd = open_or_throw(blob.path, O_RDONLY);
    actual = writer.add_file(entry, fd.get(), blob.size, digest.algorithm());
  }
  if (actual != digest) {
    throw Error(bundle::BundleErrorKind::kSource, blob_origin(blob, digest) +
                                                      " does not match its digest " + digest.str() +
                                                      ": the source changed or is damaged");
  }
}

// Writes the signed manifest, the OCI layout and every blob; returns the
// blob bytes written.
uint64_t write_bundle(bundle::BundleWriter& writer, Progress& progress,
                      const std::string& manifest_json, const std::string& signature,
                      const std::string& index, const std::map<Digest, CollectedBlob>& blobs) {
  writer.add_bytes(bundle::kManifestEntry, manifest_json);
  writer.add_bytes(bundle::kSignatureEntry, signature);
  writer.add_bytes(bundle::kLayoutEntry, bundle::kLayoutContent);
  writer.add_bytes(bundle::kIndexEntry, index);
  uint64_t total = 0;
  for (const auto& [digest, blob] : blobs) {
    write_blob(writer, progress, digest, blob);
    total += blob.size;
  }
  writer.finish();
  return total;
}

}  // namespace

int run_pack(const PackOptions& options) {
  std::vector<SourceSpec> specs = gather_sources(options);
  expiry_time(options.expires, 0);  // a bad --expires is a usage error before any work
  std::vector<std::string> earlier = earlier_outputs(options.output);
  if (!earlier.empty() && !options.force) {
    throw Error(ErrorCode::kExists,
                earlier.front() + " exists; pass --force to replace it, or choose another -o");
  }
  // Before any work: a wrong key or passphrase fails fast.
  signing::SecretKey key = load_secret_key(options.key_path, options.passphrase);
  std::optional<ScratchDir> scratch;
  for (auto& spec : specs) {
    if (spec.transport != "file") continue;
    if (!scratch) scratch.emplace(options.output);
    spec.scratch_dir = scratch->path();
  }

  std::map<Digest, CollectedBlob> blobs;
  std::vector<ResolvedImage> images = collect_images(specs, blobs);
  std::vector<Digest> required = leave_out_site_blobs(options, blobs);
  size_t n_required = required.size();

  auto [created, mtime] = bundle::creation_time();
  std::string index;
  bundle::Manifest manifest =
      make_manifest(options, images, blobs, std::move(required), mtime, created, index);
  std::string manifest_json = manifest.to_json();

  signing::Prehash prehash;
  prehash.update(manifest_json.data(), manifest_json.size());
  std::string signature =
      signing::sign_prehashed(key, prehash.final(), manifest.trusted_comment()).to_file();

  uint64_t blob_bytes = 0;
  for (const auto& [digest, blob] : blobs) blob_bytes += blob.size;
  // On a terminal: bytes, rate and time left; elsewhere only the summary.
  Progress progress("packing", blob_bytes);
  bundle::BundleWriter writer(options.output,
                              {3, options.threads, mtime, options.split_bytes, &progress});
  uint64_t total = write_bundle(writer, progress, manifest_json, signature, index, blobs);
  if (options.force) remove_stale(earlier, writer.outputs());
  progress.finish();
  std::string where = writer.outputs().size() == 1
                          ? writer.outputs().front()
                          : writer.outputs().front() + " .. " + writer.outputs().back();
  if (n_required) std::printf("delta: %zu blob(s) left out, required on site\n", n_required);
  std::printf("bundle %s: %zu image(s), %zu blob(s), %llu bytes -> %s (%llu bytes), signed by %s\n",
              printable(manifest.id).c_str(), images.size(), blobs.size(),
              static_cast<unsigned long long>(total), printable(where).c_str(),
              static_cast<unsigned long long>(writer.bytes_written()), key.id().hex().c_str());
  return kOk;
}

}  // namespace ferry::cli

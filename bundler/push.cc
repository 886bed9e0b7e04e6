// Two passes over the bundle. The first verifies it whole (signature, then
// every entry) and keeps its manifests, which are small; only a bundle that
// passed is pushed. The second streams it again and uploads each blob once,
// in chunks, into the first repository that needs it, mounting it into the
// others. Manifests follow, children before indexes, and the tags last, so a
// failure part way leaves no tag pointing at anything incomplete; then the
// referrers, each after its subject.
#include "bundler/push.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <set>

#include "bundle/error.h"
#include "bundle/verifier.h"
#include "bundler/exit_codes.h"
#include "bundler/key_files.h"
#include "bundler/registry_client.h"
#include "core/file_util.h"
#include "core/manifest.h"
#include "core/media_types.h"
#include "core/names.h"
#include "core/printable.h"
#include "core/progress.h"

namespace ferry::cli {
namespace {

using bundle::BundleErrorKind;

// Keeps the bundle's manifests and indexes while the verifier checks it.
class ManifestKeeper : public bundle::BlobSink {
 public:
  void begin(const bundle::BlobEntry& blob) override {
    keeping_ = media::is_manifest(blob.media_type);
    current_.clear();
  }
  void write(const void* data, size_t size) override {
    if (keeping_) current_.append(static_cast<const char*>(data), size);
  }
  void commit(const bundle::BlobEntry& blob) override {
    if (keeping_) manifests[blob.digest] = {blob.media_type, std::move(current_)};
  }
  std::map<Digest, std::pair<std::string, std::string>> manifests;  // type, bytes

 private:
  bool keeping_ = false;
  std::string current_;
};

struct Target {
  std::string repository, tag;    // a referrer's tag is empty unless tag-schema
  std::vector<Digest> manifests;  // children first
  std::vector<Digest> blobs;      // configs and layers
  std::optional<Digest> subject;  // referrers only
};

// Lists target's manifests (children first) and blobs. A delta may leave
// out manifests its base delivered: those must already be in the registry.
void walk(ManifestKeeper& kept, RegistryClient& client, const Digest& digest, Target& target,
          std::set<Digest>& seen) {
  if (!seen.insert(digest).second) return;
  auto it = kept.manifests.find(digest);
  if (it == kept.manifests.end()) {
    RegistryClient::Manifest m;
    try {
      m = client.get_manifest(target.repository, digest.str());
    } catch (const Error& e) {
      if (!e.code_in<BundleErrorKind>()) throw;
      throw Error(BundleErrorKind::kMissingBase,
                  "this delta bundle needs manifest " + digest.str() + ", which " + client.host() +
                      " does not have in " + target.repository + "; push its base bundle first");
    }
    if (digest_of(m.bytes, digest.algorithm()) != digest) {
      throw Error(BundleErrorKind::kSource,
                  client.host() + " sent a manifest that is not " + digest.str());
    }
    it = kept.manifests.emplace(digest, std::make_pair(m.media_type, std::move(m.bytes))).first;
  }
  ParsedManifest m = parse_manifest(it->second.second, it->second.first);
  for (const auto& child : m.manifests) walk(kept, client, child.digest, target, seen);
  for (const auto& b : m.blobs) {
    if (!b.external) target.blobs.push_back(b.digest);
  }
  target.manifests.push_back(digest);
}

// Referrers in an order that puts each after its subject when both are
// referrers (a signature after the SBOM it signs); images come before all.
std::vector<const Target*> subjects_first(const std::vector<Target>& referrers) {
  std::vector<const Target*> order, pending;
  for (const auto& t : referrers) pending.push_back(&t);
  while (!pending.empty()) {
    std::set<Digest> waiting;
    for (const auto* t : pending) waiting.insert(t->manifests.back());
    std::vector<const Target*> later;
    for (const auto* t : pending) (waiting.count(*t->subject) ? later : order).push_back(t);
    if (later.size() == pending.size()) {  // a cycle cannot be made by digests; stay safe
      order.insert(order.end(), later.begin(), later.end());
      break;
    }
    pending = std::move(later);
  }
  return order;
}

// PUTs a target's manifests by digest, children first. An image's top one
// waits for its tag, set last; a referrer's goes by its tag if it has one.
void put_manifests(RegistryClient& client, ManifestKeeper& kept, const Target& t) {
  for (size_t i = 0; i < t.manifests.size(); ++i) {
    bool top = i + 1 == t.manifests.size();
    if (top && !t.subject) break;
    const auto& [type, bytes] = kept.manifests.at(t.manifests[i]);
    client.put_manifest(t.repository, top && !t.tag.empty() ? t.tag : t.manifests[i].str(), type,
                        bytes);
  }
}

// Uploads the blobs of the second pass: each once, then mounted elsewhere.
class Uploader : public bundle::BlobSink {
 public:
  Uploader(RegistryClient& client, const std::map<Digest, std::vector<std::string>>& repos_of,
           Progress& progress)
      : client_(client), repos_of_(repos_of), progress_(progress) {}

  void begin(const bundle::BlobEntry& blob) override {
    upload_.reset();
    buffer_.clear();
    auto it = repos_of_.find(blob.digest);
    if (it == repos_of_.end() || media::is_manifest(blob.media_type)) return;
    if (client_.has_blob(it->second.front(), blob.digest)) {
      ++present;
      return;
    }
    upload_.emplace(client_, it->second.front());
  }
  void write(const void* data, size_t size) override {
    progress_.add(size);
    if (!upload_) return;
    buffer_.append(static_cast<const char*>(data), size);
    if (buffer_.size() >= kChunk) {
      upload_->append(buffer_);
      buffer_.clear();
    }
  }
  void commit(const bundle::BlobEntry& blob) override {
    auto it = repos_of_.find(blob.digest);
    if (upload_) {
      upload_->append(buffer_);
      upload_->finish(blob.digest);
      upload_.reset();
      ++uploaded;
    }
    if (it == repos_of_.end() || media::is_manifest(blob.media_type)) return;
    for (size_t i = 1; i < it->second.size(); ++i) {
      const std::string& repo = it->second[i];
      if (client_.has_blob(repo, blob.digest)) continue;
      if (client_.mount_blob(repo, blob.digest, it->second.front())) continue;
      throw Error(BundleErrorKind::kSource,
                  client_.host() + " would not mount " + blob.digest.str() + " into " + repo);
    }
  }
  size_t uploaded = 0, present = 0;

 private:
  static constexpr size_t kChunk = 8 << 20;
  RegistryClient& client_;
  const std::map<Digest, std::vector<std::string>>& repos_of_;
  Progress& progress_;
  std::optional<RegistryClient::Upload> upload_;
  std::string buffer_;
};

struct Destination {
  std::string host, prefix;
};

Destination parse_destination(std::string dest) {
  if (dest.rfind("docker://", 0) != 0) {
    throw std::invalid_argument("push destination '" + dest + "' is not docker://HOST[/PREFIX]");
  }
  dest = dest.substr(9);
  while (!dest.empty() && dest.back() == '/') dest.pop_back();
  auto slash = dest.find('/');
  Destination d{dest.substr(0, slash), slash == std::string::npos ? "" : dest.substr(slash + 1)};
  if (d.host.empty() || (!d.prefix.empty() && !is_valid_repository_name(d.prefix))) {
    throw std::invalid_argument("push destination docker://" + dest +
                                " is not docker://HOST[/PREFIX] with a lower-case prefix");
  }
  return d;
}

// What goes where: each image's and referrer's manifests and blobs, and
// for every blob the repositories that need it (the first uploads it, the
// others mount it).
struct Plan {
  std::vector<Target> targets, referrers;
  std::map<Digest, std::vector<std::string>> repos_of;
};

Plan make_plan(const bundle::Manifest& manifest, ManifestKeeper& kept, RegistryClient& client,
               const std::string& prefix) {
  Plan p;
  auto plan = [&](Target t, const Digest& top, std::vector<Target>& into) {
    std::set<Digest> seen;
    walk(kept, client, top, t, seen);
    for (const auto& d : t.blobs) {
      auto& repos = p.repos_of[d];
      if (std::find(repos.begin(), repos.end(), t.repository) == repos.end())
        repos.push_back(t.repository);
    }
    into.push_back(std::move(t));
  };
  for (const auto& image : manifest.images) {
    auto colon = image.name.rfind(':');
    std::string repository = (prefix.empty() ? "" : prefix + "/") + image.name.substr(0, colon);
    plan(Target{repository, image.name.substr(colon + 1), {}, {}, {}}, image.digest, p.targets);
    for (const auto& r : image.referrers)
      plan(Target{repository, r.tag, {}, {}, r.subject}, r.digest, p.referrers);
  }
  return p;
}

// A delta's base must already be in the registry.
void require_base(const bundle::Manifest& manifest, const Plan& plan, RegistryClient& client,
                  const std::string& host) {
  std::set<Digest> in_bundle;
  for (const auto& b : manifest.blobs) in_bundle.insert(b.digest);
  for (const auto& [digest, repos] : plan.repos_of) {
    if (in_bundle.count(digest)) continue;
    if (!client.has_blob(repos.front(), digest)) {
      throw Error(BundleErrorKind::kMissingBase,
                  "this delta bundle needs " + digest.str() + ", which " + host +
                      " does not have in " + repos.front() + "; push its base bundle first");
    }
  }
}

}  // namespace

int run_push(const PushOptions& options) {
  Destination dest = parse_destination(options.destination);
  auto keys = load_public_keys(options.public_key);
  RegistryClient client(dest.host, options.insecure, options.ca_file);
  // Pass 1: verify everything; keep the manifests.
  ManifestKeeper kept;
  bundle::Manifest manifest;
  {
    bundle::BundleVerifier verifier(options.bundle, keys);
    manifest = verifier.open();
    verifier.stream(kept);
  }
  Plan plan = make_plan(manifest, kept, client, dest.prefix);
  require_base(manifest, plan, client, dest.host);

  // Pass 2: blobs, then manifests, then tags.
  uint64_t total = 0;
  for (const auto& b : manifest.blobs) total += b.size;
  Progress progress("pushing", total);
  Uploader uploader(client, plan.repos_of, progress);
  {
    bundle::BundleVerifier verifier(options.bundle, keys);
    verifier.open();
    verifier.stream(uploader);
  }
  for (const auto& t : plan.targets) put_manifests(client, kept, t);
  for (const auto& t : plan.targets) {  // the tags last
    const auto& [type, bytes] = kept.manifests.at(t.manifests.back());
    client.put_manifest(t.repository, t.tag, type, bytes);
  }
  // Referrers after their subjects: a registry lists them once they are in.
  for (const auto* t : subjects_first(plan.referrers)) put_manifests(client, kept, *t);
  progress.finish();
  std::printf(
      "pushed bundle %s to %s: %zu image(s), %zu referrer(s), %zu blob(s) uploaded, %zu already "
      "there\n",
      printable(manifest.id).c_str(), printable(dest.host).c_str(), plan.targets.size(),
      plan.referrers.size(), uploader.uploaded, uploader.present);
  for (const auto& t : plan.targets)
    std::printf("  %s/%s:%s\n", printable(dest.host).c_str(), printable(t.repository).c_str(),
                printable(t.tag).c_str());
  return kOk;
}

}  // namespace ferry::cli

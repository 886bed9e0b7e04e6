// Registry references (REF, docker://REF): images pulled from a registry, streamed
// blob by blob into the bundle as it is written.
#include <nlohmann/json.hpp>

#include "bundler/content_walk.h"
#include "bundler/registry_client.h"
#include "bundler/source.h"
#include "core/media_types.h"

namespace ferry::cli {
namespace {

constexpr uint64_t kMaxSmall = 16 << 20;

class RegistryReader : public ContentReader {
 public:
  RegistryReader(std::shared_ptr<RegistryClient> client, std::string repository)
      : client_(std::move(client)),
        repository_(std::move(repository)),
        where_("docker://" + client_->host() + "/" + repository_) {}
  const std::string& where() const override { return where_; }

  void remember(const Digest& digest, std::string bytes) { fetched_[digest] = std::move(bytes); }

  std::string read_small(const Descriptor& d) override {
    if (auto it = fetched_.find(d.digest); it != fetched_.end()) return it->second;
    std::string bytes = media::is_manifest(d.media_type)
                            ? client_->get_manifest(repository_, d.digest.str()).bytes
                            : client_->get_small_blob(repository_, d.digest, kMaxSmall);
    if (digest_of(bytes, d.digest.algorithm()) != d.digest || bytes.size() != d.size) {
      bad_source(where_, d.digest.str() + " does not match its digest or size");
    }
    fetched_[d.digest] = bytes;
    return bytes;
  }

  CollectedBlob locate(const Descriptor& d) override {
    return CollectedBlob{d.size, d.media_type, "", "", "", "", {client_, repository_}};
  }

 private:
  std::shared_ptr<RegistryClient> client_;
  std::string repository_, where_;
  std::map<Digest, std::string> fetched_;
};

}  // namespace

ResolvedImage collect_registry_image(const SourceSpec& source,
                                     std::map<Digest, CollectedBlob>& blobs) {
  const ImageReference& ref = source.reference;
  std::string where = "docker://" + ref.str();
  // Named before anything is fetched.
  auto kept = source.destination ? source.destination : ref.kept_name();
  if (!kept) {
    throw std::invalid_argument(where + " names no tag (a digest alone); name the image with " +
                                source.text + "=REPO:TAG");
  }
  std::string name = checked_destination(*kept, where);
  // A digest, when given, is what is fetched (and checked); the tag only names it.
  std::string wanted = ref.digest ? ref.digest->str() : ref.tag;
  auto client = std::make_shared<RegistryClient>(ref.host, source.insecure, source.ca_file);
  RegistryReader reader(client, ref.path);
  auto top_manifest = client->get_manifest(ref.path, wanted);
  std::string type = top_manifest.media_type;
  if (!media::is_manifest(type)) {  // some registries send a generic Content-Type
    auto doc = nlohmann::json::parse(top_manifest.bytes, nullptr, false);
    type = doc.is_object() ? doc.value("mediaType", std::string(media::kOciManifest))
                           : std::string(media::kOciManifest);
  }
  Digest digest = digest_of(top_manifest.bytes,
                            ref.digest ? ref.digest->algorithm() : DigestAlgorithm::kSha256);
  if (ref.digest && *ref.digest != digest) {
    bad_source(where, "the registry sent a manifest whose digest is " + digest.str() + ", not " +
                          ref.digest->str());
  }
  Descriptor top{type, digest, top_manifest.bytes.size(), false};
  reader.remember(digest, std::move(top_manifest.bytes));

  std::map<Digest, CollectedBlob> own;
  top = collect_content(reader, top, source.platforms, own);
  uint64_t content_bytes = 0;
  for (const auto& [d, blob] : own) content_bytes += blob.size;
  blobs.insert(own.begin(), own.end());
  return ResolvedImage{name, top, image_platforms(reader, top, own), content_bytes};
}

}  // namespace ferry::cli

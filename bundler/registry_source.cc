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

  // The manifest a tag (or digest) names, fetched once and kept.
  Descriptor fetch(const std::string& reference, DigestAlgorithm algorithm) {
    auto m = client_->get_manifest(repository_, reference);
    Descriptor d{media_type_of(m), digest_of(m.bytes, algorithm), m.bytes.size(), false};
    remember(d.digest, std::move(m.bytes));
    return d;
  }

  // The referrers API where the registry has it, else the tag schema's
  // sha256-<hex> index; and cosign's sha256-<hex>.sig/.att/.sbom tags in
  // either case, as cosign writes those even where the API exists.
  std::vector<Referrer> referrers_of(const Digest& subject) override {
    std::vector<Referrer> out;
    if (has_api_ != false) {
      auto index = client_->get_referrers(repository_, subject);
      has_api_ = index.has_value();
      if (index) out = referrers_in_index(*index, subject, where_);
    }
    std::string index_tag;
    for (const auto& tag : tag_schema_tags(tags(), subject, *has_api_ ? nullptr : &index_tag)) {
      out.push_back(Referrer{fetch(tag, DigestAlgorithm::kSha256), subject, "", tag});
    }
    if (!index_tag.empty()) {
      Descriptor index = fetch(index_tag, DigestAlgorithm::kSha256);
      auto listed = referrers_in_index(read_small(index), subject, where_);
      out.insert(out.end(), listed.begin(), listed.end());
    }
    return out;
  }

  // Some registries send a generic Content-Type: the manifest's own field then.
  static std::string media_type_of(const RegistryClient::Manifest& m) {
    if (media::is_manifest(m.media_type)) return m.media_type;
    auto doc = nlohmann::json::parse(m.bytes, nullptr, false);
    return doc.is_object() ? doc.value("mediaType", std::string(media::kOciManifest))
                           : std::string(media::kOciManifest);
  }

 private:
  // The repository's tags, listed once for all subjects.
  const std::vector<std::string>& tags() {
    if (!tags_) tags_ = client_->list_tags(repository_);
    return *tags_;
  }

  std::shared_ptr<RegistryClient> client_;
  std::string repository_, where_;
  std::map<Digest, std::string> fetched_;
  std::optional<bool> has_api_;  // asked once: the first answer decides
  std::optional<std::vector<std::string>> tags_;
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
  // Docker Hub speaks HTTPS only: --insecure, meant for a local registry
  // packed beside it, must not downgrade it to plain HTTP.
  bool plain_http = source.insecure && ref.host != "docker.io";
  auto client = std::make_shared<RegistryClient>(ref.host, plain_http, source.ca_file);
  RegistryReader reader(client, ref.path);
  Descriptor top =
      reader.fetch(wanted, ref.digest ? ref.digest->algorithm() : DigestAlgorithm::kSha256);
  if (ref.digest && *ref.digest != top.digest) {
    bad_source(where, "the registry sent a manifest whose digest is " + top.digest.str() +
                          ", not " + ref.digest->str());
  }

  std::map<Digest, CollectedBlob> own;
  top = collect_content(reader, top, source.platforms, own);
  uint64_t content_bytes = 0;
  for (const auto& [d, blob] : own) content_bytes += blob.size;
  auto platforms = image_platforms(reader, top, own);
  std::vector<Referrer> referrers;
  if (source.referrers) referrers = collect_referrers(reader, manifests_in(own), own);
  blobs.insert(own.begin(), own.end());
  return ResolvedImage{name, top, platforms, content_bytes, std::move(referrers)};
}

}  // namespace ferry::cli

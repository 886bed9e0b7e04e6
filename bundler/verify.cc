#include "bundler/verify.h"

#include <cstdio>
#include <map>

#include "bundle/consistency.h"
#include "bundle/error.h"
#include "bundle/verifier.h"
#include "bundler/exit_codes.h"
#include "bundler/key_files.h"
#include "core/media_types.h"
#include "core/printable.h"

namespace ferry::cli {
namespace {

// The limit ferryd holds pushed and imported manifests to.
constexpr uint64_t kMaxManifestBytes = StoreOptions{}.max_manifest_bytes;

// Keeps the manifests among the verified blobs in memory, so the bundle's
// parts can be checked against each other as `ferryd import` checks them.
class ManifestKeeper : public bundle::BlobSink, public bundle::ContentLookup {
 public:
  explicit ManifestKeeper(const bundle::Manifest& m) {
    for (const auto& b : m.blobs) listed_.emplace(b.digest, &b);
  }
  void begin(const bundle::BlobEntry& blob) override {
    keeping_ = media::is_manifest(blob.media_type) && blob.size <= kMaxManifestBytes;
    piece_.clear();
  }
  void write(const void* data, size_t size) override {
    if (keeping_) piece_.append(static_cast<const char*>(data), size);
  }
  void commit(const bundle::BlobEntry& blob) override {
    if (keeping_) kept_[blob.digest] = std::move(piece_);
  }

  std::optional<uint64_t> size(const Digest& digest) override {
    auto it = listed_.find(digest);
    if (it == listed_.end()) return std::nullopt;
    return it->second->size;
  }
  std::string read(const Digest& digest) override {
    auto it = kept_.find(digest);
    if (it != kept_.end()) return it->second;
    const bundle::BlobEntry* entry = listed_.at(digest);
    throw Error(bundle::BundleErrorKind::kMalformed,
                "manifest " + digest.str() + " is listed in the signed manifest as '" +
                    entry->media_type.substr(0, 100) + "', not as a manifest");
  }
  bool base_elsewhere() const override { return true; }

 private:
  std::map<Digest, const bundle::BlobEntry*> listed_;
  std::map<Digest, std::string> kept_;
  std::string piece_;
  bool keeping_ = false;
};

}  // namespace

int run_verify(const std::string& public_key_path, const std::string& bundle_path) {
  bundle::BundleVerifier verifier(bundle_path, load_public_keys(public_key_path));
  const bundle::Manifest& m = verifier.open();
  ManifestKeeper manifests(m);
  bundle::VerifyReport report = verifier.stream(manifests);
  bundle::plan_images(m, manifests, kMaxManifestBytes);
  std::printf(
      "ok: bundle %s (channel %s, sequence %llu, %zu volume(s)) signed by %s: %zu image(s), "
      "%zu referrer(s), %llu blob(s), %llu bytes verified\n",
      printable(m.id).c_str(), printable(m.channel).c_str(),
      static_cast<unsigned long long>(m.sequence), verifier.volumes().size(),
      verifier.signer().hex().c_str(), m.images.size(), m.referrer_count(),
      static_cast<unsigned long long>(report.blobs), static_cast<unsigned long long>(report.bytes));
  return kOk;
}

}  // namespace ferry::cli

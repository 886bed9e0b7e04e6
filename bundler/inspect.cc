#include "bundler/inspect.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

#include "bundle/error.h"
#include "bundle/format.h"
#include "bundle/reader.h"
#include "bundler/exit_codes.h"
#include "core/printable.h"
#include "core/units.h"
#include "signing/signature.h"

namespace ferry::cli {
namespace {

std::string read_entry(bundle::BundleReader& reader, std::string_view expected, uint64_t limit) {
  auto entry = reader.next();
  if (!entry || entry->name != expected || !entry->regular) {
    throw Error(
        bundle::BundleErrorKind::kMalformed,
        "not a Ferry bundle: expected " + std::string(expected) + " among its first entries");
  }
  return reader.read_whole(*entry, limit, std::string(expected));
}

// The image's referrers under their subjects, a signature of an SBOM under
// the SBOM; one whose subject is a child of the image's index says which.
void print_referrers(const bundle::ImageEntry& image, const Digest& subject, int depth) {
  for (const auto& r : image.referrers) {
    if (r.subject != subject) continue;
    std::printf("%*sreferrer %s %s%s\n", 2 * depth, "",
                r.artifact_type.empty() ? "-" : printable(r.artifact_type).c_str(),
                r.digest.str().substr(0, 19).c_str(),
                r.tag.empty() ? "" : ("  tag " + printable(r.tag)).c_str());
    if (depth < 16) print_referrers(image, r.digest, depth + 1);
  }
}

void print_referrers(const bundle::ImageEntry& image) {
  print_referrers(image, image.digest, 1);
  std::set<Digest> known{image.digest};
  for (const auto& r : image.referrers) known.insert(r.digest);
  std::set<Digest> children;  // subjects inside the image's index
  for (const auto& r : image.referrers) {
    if (!known.count(r.subject)) children.insert(r.subject);
  }
  for (const auto& child : children) {
    std::printf("  of %s (in the index):\n", child.str().substr(0, 19).c_str());
    print_referrers(image, child, 2);
  }
}

}  // namespace

int run_inspect(const std::string& bundle_path, bool json) {
  bundle::BundleReader reader(bundle_path);
  auto m = bundle::Manifest::parse(
      read_entry(reader, bundle::kManifestEntry, bundle::kMaxManifestBytes));
  auto sig = signing::Signature::parse(
      read_entry(reader, bundle::kSignatureEntry, bundle::kMaxSignatureBytes));
  uint64_t total = 0;
  for (const auto& b : m.blobs) total += b.size;

  if (json) {
    auto doc = nlohmann::json::parse(m.to_json());
    doc["signer"] = sig.key_id.hex();
    doc["volumes"] = reader.volumes();
    doc["blobBytes"] = total;
    doc["signatureChecked"] = false;
    std::printf("%s\n", doc.dump(2).c_str());
    return kOk;
  }
  std::printf("bundle    %s (format %d)\ncreated   %s\nchannel   %s, sequence %llu\n",
              printable(m.id).c_str(), bundle::kVersion, printable(m.created).c_str(),
              printable(m.channel).c_str(), static_cast<unsigned long long>(m.sequence));
  if (!m.expires.empty()) std::printf("expires   %s\n", printable(m.expires).c_str());
  std::printf("signed by key %s (not checked here: use ferry verify -p KEY)\n",
              sig.key_id.hex().c_str());
  std::printf("volumes   %zu\nblobs     %zu, %s\n\n", reader.volumes().size(), m.blobs.size(),
              format_size(total).c_str());
  // Names carry their registry host (docker.io/library/nginx:1.25): the
  // column is as wide as the longest.
  int width = 40;
  for (const auto& i : m.images) {
    width = std::max(width, static_cast<int>(printable(i.name).size()));
  }
  std::printf("%-*s %-28s %10s  %s\n", width, "IMAGE", "PLATFORMS", "SIZE", "DIGEST");
  for (const auto& i : m.images) {
    std::string platforms;
    for (const auto& p : i.platforms) platforms += (platforms.empty() ? "" : ",") + printable(p);
    std::printf("%-*s %-28s %10s  %s\n", width, printable(i.name).c_str(),
                platforms.empty() ? "-" : platforms.c_str(), format_size(i.content_bytes).c_str(),
                i.digest.str().substr(0, 19).c_str());
    print_referrers(i);
  }
  if (!m.requires_.empty()) {
    std::printf("\ndelta: expects %zu blob(s) already on site\n", m.requires_.size());
    for (const auto& d : m.requires_) std::printf("  %s\n", d.str().c_str());
  }
  return kOk;
}

}  // namespace ferry::cli

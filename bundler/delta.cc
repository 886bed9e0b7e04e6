#include "bundler/delta.h"

#include <nlohmann/json.hpp>

#include "core/bundle_error.h"
#include "core/bundle_format.h"
#include "core/bundle_reader.h"
#include "core/file_util.h"

namespace ferry::cli {

std::set<Digest> blobs_of_base_bundle(const std::string& base_bundle) {
  bundle::BundleReader reader(base_bundle);
  auto first = reader.next();
  if (!first || first->name != bundle::kManifestEntry || !first->regular) {
    throw bundle::BundleError(bundle::BundleErrorKind::kMalformed,
                              base_bundle + " is not a Ferry bundle (--base)");
  }
  auto m = bundle::Manifest::parse(
      reader.read_whole(*first, bundle::kMaxManifestBytes, "the base bundle's manifest"));
  std::set<Digest> have(m.requires_.begin(), m.requires_.end());
  for (const auto& b : m.blobs) have.insert(b.digest);
  return have;
}

std::set<Digest> blobs_of_inventory(const std::string& inventory_file) {
  auto doc = nlohmann::json::parse(read_small_file(inventory_file, 256 << 20), nullptr, false);
  if (!doc.is_array()) {
    throw std::invalid_argument(inventory_file +
                                " is not a JSON list of digests (--base-inventory)");
  }
  std::set<Digest> have;
  for (const auto& d : doc) {
    auto digest = d.is_string() ? Digest::parse(d.get<std::string>()) : std::nullopt;
    if (!digest)
      throw std::invalid_argument(inventory_file + " lists something that is not a digest");
    have.insert(*digest);
  }
  return have;
}

}  // namespace ferry::cli

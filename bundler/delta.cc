#include "bundler/delta.h"

#include <nlohmann/json.hpp>

#include "bundle/error.h"
#include "bundle/format.h"
#include "bundle/reader.h"
#include "bundler/key_files.h"
#include "core/file_util.h"
#include "core/inventory.h"
#include "signing/error.h"
#include "signing/signature.h"

namespace ferry::cli {

std::set<Digest> blobs_of_base_bundle(const std::string& base_bundle) {
  bundle::BundleReader reader(base_bundle);
  auto first = reader.next();
  if (!first || first->name != bundle::kManifestEntry || !first->regular) {
    throw Error(bundle::BundleErrorKind::kMalformed,
                base_bundle + " is not a Ferry bundle (--base)");
  }
  auto m = bundle::Manifest::parse(
      reader.read_whole(*first, bundle::kMaxManifestBytes, "the base bundle's manifest"));
  std::set<Digest> have(m.requires_.begin(), m.requires_.end());
  for (const auto& b : m.blobs) have.insert(b.digest);
  return have;
}

namespace {

// A receipt's digests count only when the box that wrote it signed them.
void check_receipt(const std::string& file, const std::string& text,
                   const std::string& receipt_key) {
  if (receipt_key.empty()) {
    throw Error(KeyFileErrorKind::kMissing,
                file +
                    " is an import receipt: name the box's public key to check it with "
                    "--receipt-key BOX.pub (box.pub in the box's data directory)");
  }
  auto keys = load_public_keys(receipt_key);
  auto sig = signing::Signature::parse(read_small_file(file + ".minisig", 64 << 10));
  signing::Prehash prehash;
  prehash.update(text.data(), text.size());
  auto digest = prehash.final();
  for (const auto& key : keys) {
    if (key.id() == sig.key_id) return signing::verify_prehashed(key, sig, digest);
  }
  throw Error(
      signing::SigningErrorKind::kUnknownKey,
      file + " is signed by box key " + sig.key_id.hex() + ", which is not in " + receipt_key);
}

// The digest list of the document: the array itself, or its blobs/inventory.
const nlohmann::json* digest_list(const nlohmann::json& doc, const std::string& file,
                                  const std::string& text, const std::string& receipt_key) {
  if (doc.is_array()) return &doc;
  std::string type = doc.is_object() ? doc.value("mediaType", "") : "";
  if (type == kInventoryMediaType && doc.contains("blobs")) return &doc["blobs"];
  if (type == kReceiptMediaType) {
    if (!doc.contains("inventory")) {
      throw std::invalid_argument(file +
                                  " is a receipt from a ferryd that did not record its "
                                  "inventory; use ferryd inventory's output instead");
    }
    check_receipt(file, text, receipt_key);
    return &doc["inventory"];
  }
  return nullptr;
}

}  // namespace

std::set<Digest> blobs_of_inventory(const std::string& inventory_file,
                                    const std::string& receipt_key) {
  std::string text = read_small_file(inventory_file, 256 << 20);
  auto doc = nlohmann::json::parse(text, nullptr, false);
  const nlohmann::json* list = digest_list(doc, inventory_file, text, receipt_key);
  if (!list || !list->is_array()) {
    throw std::invalid_argument(inventory_file +
                                " is neither ferryd inventory's output, an import receipt, nor "
                                "a JSON list of digests (--base-inventory)");
  }
  std::set<Digest> have;
  for (const auto& d : *list) {
    auto digest = d.is_string() ? Digest::parse(d.get<std::string>()) : std::nullopt;
    if (!digest)
      throw std::invalid_argument(inventory_file + " lists something that is not a digest");
    have.insert(*digest);
  }
  return have;
}

}  // namespace ferry::cli

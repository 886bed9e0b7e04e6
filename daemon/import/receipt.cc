#include "daemon/import/receipt.h"

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/file_util.h"
#include "core/json_strict.h"
#include "core/units.h"
#include "signing/keys.h"
#include "signing/signature.h"

namespace ferry::import {
namespace {

std::string public_path_for(const std::string& key_path) {
  std::string base = key_path;
  if (base.size() > 4 && base.compare(base.size() - 4, 4, ".key") == 0)
    base.resize(base.size() - 4);
  return base + ".pub";
}

signing::SecretKey load_box_key(const std::string& key_path) {
  return signing::SecretKey::parse(read_small_file(key_path, 64 << 10), []() -> std::string_view {
    throw std::runtime_error("the box key is encrypted; receipts need an unencrypted key");
  });
}

}  // namespace

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

std::string ensure_box_key(const std::string& key_path) {
  if (path_exists(key_path)) return load_box_key(key_path).id().hex();
  mkdirs(parent_dir(key_path));
  auto key = signing::SecretKey::generate();
  write_file_atomic(key_path, key.to_file(std::nullopt), 0600);
  write_file_atomic(public_path_for(key_path), key.public_key().to_file());
  return key.id().hex();
}

void write_receipt(const std::string& path, const std::string& box_key_path,
                   const bundle::Manifest& manifest, const ImportRecord& record,
                   const std::vector<std::string>& inventory) {
  ensure_box_key(box_key_path);
  auto key = load_box_key(box_key_path);
  nlohmann::json images = nlohmann::json::array();
  for (const auto& i : manifest.images) {
    images.push_back({{"name", i.name}, {"digest", i.digest.str()}});
  }
  std::string host = host_name();
  std::string imported_at = format_utc(record.finished_at.value_or(record.started_at));
  nlohmann::json doc = {
      {"mediaType", kReceiptMediaType},
      {"bundle",
       {{"id", manifest.id},
        {"created", manifest.created},
        {"channel", manifest.channel},
        {"sequence", manifest.sequence},
        {"signer", record.signer}}},
      {"images", images},
      {"importedAt", imported_at},
      {"importId", record.id},
      {"host", host},
      {"boxKey", key.id().hex()},
      {"blobsWritten", record.blobs_written},
      {"bytesWritten", record.bytes_written},
      {"bytesAlreadyPresent", record.bytes_skipped},
      {"inventory", inventory},
  };
  std::string text = json_text(doc, 2) + "\n";
  signing::Prehash prehash;
  prehash.update(text.data(), text.size());
  auto sig = signing::sign_prehashed(
      key, prehash.final(),
      "ferry-receipt bundle=" + manifest.id + " host=" + host + " imported=" + imported_at);
  sig.untrusted_comment = "ferry import receipt, signed by box key " + key.id().hex();
  write_file_atomic(path, text);
  write_file_atomic(path + ".minisig", sig.to_file());
}

}  // namespace ferry::import

#include "bundler/keygen.h"

#include <cstdio>

#include "base/error.h"
#include "bundler/exit_codes.h"
#include "core/file_util.h"
#include "core/printable.h"
#include "signing/keys.h"

namespace ferry::cli {

int run_keygen(const KeygenOptions& options) {
  std::string key_path = options.prefix + ".key";
  std::string pub_path = options.prefix + ".pub";
  if (!options.force) {
    for (const auto& path : {key_path, pub_path}) {
      if (path_exists(path)) {
        std::fprintf(stderr, "ferry: %s exists; keep it, or pass --force to replace it\n",
                     path.c_str());
        return kIo;
      }
    }
  }
  std::optional<signing::SecureBuffer> passphrase;
  if (!options.no_password) {
    try {
      passphrase = read_passphrase(options.passphrase, /*confirm=*/true);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "ferry: %s\n", printable(e.what()).c_str());
      return kUsage;
    }
  }
  signing::SecretKey key = signing::SecretKey::generate();
  std::optional<std::string_view> secret;
  if (passphrase) secret = view_of(*passphrase);
  try {
    // The secret key first: a public key without its secret is useless.
    write_file_atomic(key_path, key.to_file(secret), 0600);
    write_file_atomic(pub_path, key.public_key().to_file());
  } catch (const Error& e) {
    if (!e.code_in<ErrorCode>()) throw;
    std::fprintf(stderr, "ferry: %s\n", printable(e.what()).c_str());
    return kIo;
  }
  std::printf("key id %s\nsecret key: %s%s\npublic key: %s\n%s", key.id().hex().c_str(),
              key_path.c_str(), passphrase ? " (encrypted)" : " (NOT encrypted)", pub_path.c_str(),
              key.public_key().base64().append("\n").c_str());
  return kOk;
}

}  // namespace ferry::cli

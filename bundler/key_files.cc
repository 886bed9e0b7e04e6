#include "bundler/key_files.h"

#include <sys/stat.h>

#include <optional>

#include "core/file_util.h"
#include "signing/error.h"
#include "signing/trusted_keys.h"

namespace ferry::cli {
namespace {

constexpr uint64_t kMaxKeyFile = 64 << 10;

std::string read_key_file(const std::string& path) {
  try {
    return read_small_file(path, kMaxKeyFile);
  } catch (const std::exception& e) {
    throw Error(KeyFileErrorKind::kUnreadable, std::string("cannot read key file: ") + e.what());
  }
}

bool is_public_key(const std::string& text) {
  try {
    signing::PublicKey::parse(text);
    return true;
  } catch (const Error& e) {
    if (!e.code_in<signing::SigningErrorKind>()) throw;
    return false;
  }
}

// minisign writes "untrusted comment: minisign encrypted secret key"; ours
// say "secret key" too. The key line is base64 of 158 bytes either way.
bool looks_like_secret_key(const std::string& text) {
  auto line_start = text.find('\n');
  std::string line = line_start == std::string::npos ? text : text.substr(line_start + 1);
  line = line.substr(0, line.find_first_of("\r\n"));
  return text.find("secret key") != std::string::npos || line.size() == 212;
}

}  // namespace

signing::SecretKey load_secret_key(const std::string& path, const PassphraseSource& source) {
  std::string text = read_key_file(path);
  if (is_public_key(text)) {
    throw Error(KeyFileErrorKind::kWrongKind,
                path +
                    " is a public key; signing needs the secret key (PREFIX.key from "
                    "ferry keygen -o PREFIX, or minisign's .key)");
  }
  std::optional<signing::SecureBuffer> passphrase;
  try {
    return signing::SecretKey::parse(text, [&] {
      passphrase = read_passphrase(source, /*confirm=*/false);
      return view_of(*passphrase);
    });
  } catch (const Error& e) {
    if (!e.code_in<signing::SigningErrorKind>() ||
        e.is(signing::SigningErrorKind::kWrongPassphrase)) {
      throw;
    }
    throw Error(KeyFileErrorKind::kMalformed, path + ": " + e.what());
  }
}

std::vector<signing::PublicKey> load_public_keys(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    auto trusted = signing::load_trusted_keys(path);
    if (trusted.keys.empty()) {
      std::string why = trusted.problems.empty() ? "" : " (" + trusted.problems.front() + ")";
      throw Error(KeyFileErrorKind::kMissing, "no public key (*.pub) in the folder " + path + why);
    }
    return trusted.keys;
  }
  std::string text = read_key_file(path);
  try {
    return {signing::PublicKey::parse(text)};
  } catch (const Error& e) {
    if (!e.code_in<signing::SigningErrorKind>()) throw;
    if (looks_like_secret_key(text)) {
      throw Error(KeyFileErrorKind::kWrongKind,
                  path +
                      " is a secret key; checking needs the signer's public key (PREFIX.pub), "
                      "or a folder of them");
    }
    throw Error(KeyFileErrorKind::kMalformed, path + ": " + e.what());
  }
}

}  // namespace ferry::cli

// Where a secret key's passphrase comes from, in order: --passphrase-file,
// $FERRY_PASSPHRASE, then a prompt on the terminal (echo off). Automation
// uses the first two; a person gets the prompt.
#pragma once

#include <optional>
#include <string>

#include "signing/secure_buffer.h"

namespace ferry::cli {

struct PassphraseSource {
  std::optional<std::string> file;  // --passphrase-file
};

// Throws std::runtime_error saying which sources were tried when none gives
// a passphrase. With `confirm`, a terminal prompt asks twice.
signing::SecureBuffer read_passphrase(const PassphraseSource& source, bool confirm);

// The passphrase's bytes (up to the first NUL).
std::string_view view_of(const signing::SecureBuffer& passphrase);

}  // namespace ferry::cli

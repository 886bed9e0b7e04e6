// libsodium must be initialised before any other call; this is idempotent
// and thread-safe, so every entry point of the signing library calls it.
#pragma once

#include <sodium.h>

#include <stdexcept>

namespace ferry::signing {

inline void ensure_sodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

}  // namespace ferry::signing

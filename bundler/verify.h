// ferry verify: checks a bundle against a public key, entry by entry.
#pragma once

#include <string>

namespace ferry::cli {

int run_verify(const std::string& public_key_path, const std::string& bundle_path);

}  // namespace ferry::cli

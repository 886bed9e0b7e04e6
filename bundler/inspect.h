// ferry inspect: what a bundle holds, from its manifest and signature alone
// (the first two entries), without decompressing the blobs.
#pragma once

#include <string>

namespace ferry::cli {

int run_inspect(const std::string& bundle_path, bool json);

}  // namespace ferry::cli

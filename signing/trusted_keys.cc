#include "signing/trusted_keys.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace ferry::signing {

TrustedKeys load_trusted_keys(const std::string& dir) {
  namespace fs = std::filesystem;
  TrustedKeys out;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    out.problems.push_back(dir + ": " + ec.message());
    return out;
  }
  std::vector<fs::path> files;
  for (const auto& entry : it) {
    if (entry.path().extension() == ".pub") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    if (!in || text.str().size() > 4096) {
      out.problems.push_back(path.string() + ": unreadable or too large for a public key");
      continue;
    }
    try {
      out.keys.push_back(PublicKey::parse(text.str()));
    } catch (const std::exception& e) {
      out.problems.push_back(path.string() + ": " + e.what());
    }
  }
  return out;
}

}  // namespace ferry::signing

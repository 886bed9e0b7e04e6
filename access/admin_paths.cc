#include "access/admin_paths.h"

#include <stdexcept>

namespace ferry::access::paths {

std::string fill(std::string_view pattern, const std::vector<std::string>& args) {
  const std::string whole(pattern);
  std::string out;
  size_t used = 0;
  while (!pattern.empty()) {
    auto open = pattern.find('{');
    out += pattern.substr(0, open);
    if (open == std::string_view::npos) break;
    auto close = pattern.find('}', open);
    if (close == std::string_view::npos || used == args.size()) break;
    out += args[used++];
    pattern.remove_prefix(close + 1);
  }
  if (used != args.size() || pattern.find('{') != std::string_view::npos) {
    throw std::invalid_argument("admin path " + whole + " given " + std::to_string(args.size()) +
                                " part(s)");
  }
  return out;
}

}  // namespace ferry::access::paths

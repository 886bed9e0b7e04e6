#include "core/names.h"

#include "base/error.h"

namespace ferry {
namespace {

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// One path component: alnum runs joined by '.', '_', '__' or '-'+.
bool is_valid_component(std::string_view c) {
  if (c.empty() || !is_lower_alnum(c.front()) || !is_lower_alnum(c.back())) return false;
  size_t i = 0;
  while (i < c.size()) {
    if (is_lower_alnum(c[i])) {
      ++i;
      continue;
    }
    size_t start = i;
    while (i < c.size() && !is_lower_alnum(c[i])) ++i;
    std::string_view sep = c.substr(start, i - start);
    bool ok = sep == "." || sep == "_" || sep == "__" ||
              sep.find_first_not_of('-') == std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

}  // namespace

bool is_valid_repository_name(std::string_view name) {
  if (name.empty() || name.size() > 255) return false;
  size_t start = 0;
  while (true) {
    size_t slash = name.find('/', start);
    std::string_view component = name.substr(start, slash - start);
    if (!is_valid_component(component)) return false;
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

bool is_valid_tag(std::string_view tag) {
  if (tag.empty() || tag.size() > 128) return false;
  auto word = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  };
  if (!word(tag.front())) return false;
  for (char c : tag.substr(1)) {
    if (!word(c) && c != '.' && c != '-') return false;
  }
  return true;
}

std::optional<std::string> upstream_namespace(std::string_view host) {
  std::string out;
  std::string_view port;
  if (auto colon = host.rfind(':'); colon != std::string_view::npos) {
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string_view::npos) {
      return std::nullopt;
    }
  }
  // domain-component: [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9], joined by '.'.
  size_t start = 0;
  while (true) {
    size_t dot = host.find('.', start);
    std::string_view label = host.substr(start, dot - start);
    if (label.empty() || label.front() == '-' || label.back() == '-') return std::nullopt;
    for (char c : label) {
      char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
      if (!is_lower_alnum(lower) && lower != '-') return std::nullopt;
      out += lower;
    }
    if (dot == std::string_view::npos) break;
    out += '.';
    start = dot + 1;
  }
  if (!port.empty()) out += "_" + std::string(port);
  // '-' runs are separators in a name component but may not start or end one.
  if (!is_valid_component(out)) return std::nullopt;
  return out;
}

void check_repository_name(std::string_view name) {
  if (!is_valid_repository_name(name)) {
    throw Error(ErrorCode::kNameInvalid,
                "invalid repository name '" + std::string(name.substr(0, 300)) +
                    "': use lower-case path components like 'team/app' (a-z, 0-9, separated by "
                    "'.', '_', '__' or '-'), at most 255 characters");
  }
}

void check_tag(std::string_view tag) {
  if (!is_valid_tag(tag)) {
    throw Error(
        ErrorCode::kManifestInvalid,
        "invalid tag '" + std::string(tag.substr(0, 200)) +
            "': a tag is 1-128 characters of [A-Za-z0-9_.-] and cannot start with '.' or '-'");
  }
}

}  // namespace ferry

#include "core/reference.h"

#include <algorithm>
#include <stdexcept>

#include "core/names.h"

namespace ferry {
namespace {

constexpr std::string_view kLegacyDockerHub = "index.docker.io";
constexpr size_t kMaxNameLength = 255;  // distribution's NameTotalLengthMax, host included

[[noreturn]] void refuse(std::string_view text, const std::string& why) {
  throw std::invalid_argument("'" + std::string(text.substr(0, 300)) +
                              "' is not an image reference: " + why);
}

bool is_image_id(std::string_view s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

bool has_upper(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// Takes "@DIGEST" off the end of `rest`.
std::optional<Digest> take_digest(std::string_view text, std::string_view& rest) {
  auto at = rest.find('@');
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view digest = rest.substr(at + 1);
  rest = rest.substr(0, at);
  auto parsed = Digest::parse(digest);
  if (!parsed) {
    refuse(text, "digest '" + std::string(digest.substr(0, 200)) +
                     "' is not sha256:<64 lower-case hex digits>");
  }
  return parsed;
}

// Takes ":TAG" off the end of `rest`: a ':' after the last '/' (before it,
// it is a host's port).
std::string take_tag(std::string_view text, std::string_view& rest) {
  auto colon = rest.rfind(':');
  if (colon == std::string_view::npos || rest.find('/', colon) != std::string_view::npos) return "";
  std::string tag(rest.substr(colon + 1));
  rest = rest.substr(0, colon);
  if (tag.empty()) refuse(text, "it ends in ':' without a tag");
  if (!is_valid_tag(tag)) {
    refuse(text, "tag '" + tag.substr(0, 200) +
                     "' is not 1-128 characters of [A-Za-z0-9_.-] starting with a letter, digit "
                     "or '_'");
  }
  return tag;
}

void check_host(std::string_view text, const std::string& host) {
  if (host.front() == '[') refuse(text, "IPv6 literal registry hosts are not supported");
  if (!upstream_namespace(host)) {
    refuse(text, "'" + host + "' is not a registry host (HOST or HOST:PORT, no '_')");
  }
}

void check_path(std::string_view text, const std::string& path) {
  if (has_upper(path)) {
    refuse(text, "the repository name '" + path.substr(0, 300) + "' must be lower-case");
  }
  if (!is_valid_repository_name(path)) {
    refuse(text, "'" + path.substr(0, 300) +
                     "' is not a repository name: lower-case components of a-z and 0-9 "
                     "separated by '.', '_', '__' or '-', joined by single '/'");
  }
}

}  // namespace

bool names_registry_host(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return false;
  std::string_view first = text.substr(0, slash);
  return first.find_first_of(".:") != std::string_view::npos || first == "localhost";
}

ImageReference parse_reference(std::string_view text) {
  ImageReference ref;
  std::string_view rest = text;
  ref.digest = take_digest(text, rest);
  ref.tag = take_tag(text, rest);
  if (rest.empty()) refuse(text, "it has no repository name");
  if (is_image_id(rest)) refuse(text, "64 hex digits are an image ID, not a repository name");
  if (names_registry_host(rest)) {
    auto slash = rest.find('/');
    ref.host = std::string(rest.substr(0, slash));
    ref.path = std::string(rest.substr(slash + 1));
    check_host(text, ref.host);
  } else {
    ref.host = kDockerHub;
    ref.path = std::string(rest);
  }
  if (ref.host == kLegacyDockerHub) ref.host = kDockerHub;
  // Docker Hub's official images live under library/.
  if (ref.host == kDockerHub && ref.path.find('/') == std::string::npos) {
    ref.path = "library/" + ref.path;
  }
  check_path(text, ref.path);
  if (ref.name().size() > kMaxNameLength) refuse(text, "the name is longer than 255 characters");
  if (ref.tag.empty() && !ref.digest) ref.tag = "latest";
  return ref;
}

std::string ImageReference::name() const {
  return host + "/" + path;
}

std::string ImageReference::str() const {
  std::string out = name();
  if (!tag.empty()) out += ":" + tag;
  if (digest) out += "@" + digest->str();
  return out;
}

std::optional<std::string> ImageReference::kept_name() const {
  auto ns = upstream_namespace(host);
  if (!ns || tag.empty()) return std::nullopt;
  return *ns + "/" + path + ":" + tag;
}

std::string registry_api_host(std::string_view host) {
  return host == kDockerHub ? "registry-1.docker.io" : std::string(host);
}

}  // namespace ferry

#include "daemon/api/route.h"

namespace ferry::api {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

Route parse_route(std::string_view path) {
  constexpr std::string_view kPrefix = "/v2/";
  if (path == "/v2" || path == kPrefix) return {Endpoint::kBase, {}, {}};
  if (path.substr(0, kPrefix.size()) != kPrefix) return {};
  std::string_view rest = path.substr(kPrefix.size());
  if (rest == "_catalog") return {Endpoint::kCatalog, {}, {}};

  auto with_name = [](Endpoint e, std::string_view name, std::string_view ref = {}) {
    if (name.empty()) return Route{};
    return Route{e, std::string(name), std::string(ref)};
  };
  // Suffixes without a trailing reference.
  for (std::string_view suffix : {"/tags/list"}) {
    if (ends_with(rest, suffix))
      return with_name(Endpoint::kTags, rest.substr(0, rest.size() - suffix.size()));
  }
  for (std::string_view suffix : {"/blobs/uploads/", "/blobs/uploads"}) {
    if (ends_with(rest, suffix)) {
      return with_name(Endpoint::kUploadStart, rest.substr(0, rest.size() - suffix.size()));
    }
  }
  // "<name>/<kind>/<ref>": the reference is the last segment.
  auto slash = rest.rfind('/');
  if (slash == std::string_view::npos || slash + 1 == rest.size()) return {};
  std::string_view ref = rest.substr(slash + 1);
  std::string_view head = rest.substr(0, slash);
  struct Kind {
    std::string_view segment;
    Endpoint endpoint;
  };
  for (auto [segment, endpoint] :
       {Kind{"/blobs/uploads", Endpoint::kUpload}, Kind{"/manifests", Endpoint::kManifest},
        Kind{"/blobs", Endpoint::kBlob}, Kind{"/referrers", Endpoint::kReferrers}}) {
    if (ends_with(head, segment)) {
      return with_name(endpoint, head.substr(0, head.size() - segment.size()), ref);
    }
  }
  return {};
}

}  // namespace ferry::api

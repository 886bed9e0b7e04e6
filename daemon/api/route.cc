#include "daemon/api/route.h"

#include "base/error.h"
#include "core/names.h"

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

std::string mirrored_name(std::string_view name, const std::optional<std::string>& ns) {
  if (!ns) return std::string(name);
  auto upstream = upstream_namespace(*ns);
  if (!upstream) {
    throw Error(ErrorCode::kNameInvalid,
                "invalid ns '" + ns->substr(0, 300) +
                    "': ns names the registry an image comes from, a host name with an optional "
                    ":PORT, such as docker.io or registry.local:5000");
  }
  return *upstream + "/" + std::string(name);
}

}  // namespace ferry::api

// Splits a /v2/ path into endpoint, repository name and reference. Names may
// contain '/', so the path is read from the right: the last segments say
// which endpoint it is, everything before them is the name.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ferry::api {

enum class Endpoint {
  kBase,         // /v2/
  kCatalog,      // /v2/_catalog
  kTags,         // /v2/<name>/tags/list
  kManifest,     // /v2/<name>/manifests/<reference>
  kBlob,         // /v2/<name>/blobs/<digest>
  kUploadStart,  // /v2/<name>/blobs/uploads/
  kUpload,       // /v2/<name>/blobs/uploads/<id>
  kReferrers,    // /v2/<name>/referrers/<digest>
  kNotFound,
};

struct Route {
  Endpoint endpoint = Endpoint::kNotFound;
  std::string name;       // not yet validated against the name grammar
  std::string reference;  // tag, digest or upload id
};

Route parse_route(std::string_view path);

// containerd's mirror parameter: a mirror asked for `library/nginx` with
// `?ns=docker.io` is asked for the image docker.io/library/nginx, kept on
// the box as `upstream_namespace(ns) + "/" + name`. Without ns the name is
// the one given. An ns that is not a registry host throws NAME_INVALID.
std::string mirrored_name(std::string_view name, const std::optional<std::string>& ns);

}  // namespace ferry::api

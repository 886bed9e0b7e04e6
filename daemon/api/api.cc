#include "daemon/api/api.h"

#include "core/error.h"
#include "daemon/api/handlers.h"

namespace ferry::api {

void method_not_allowed(const http::Request& req, std::string_view allowed) {
  throw Error(ErrorCode::kUnsupported, std::string(req.method()) + " is not supported on " +
                                           std::string(req.path().substr(0, 300)) +
                                           "; allowed: " + std::string(allowed));
}

http::Router make_router(Store& store, const Metrics* metrics) {
  return [&store, metrics](const http::Request& req) -> ExchangePtr {
    if (req.path().rfind("/ferry/v1/", 0) == 0) return handle_ferry_v1(store, req);
    if (metrics && req.path() == "/metrics") {
      if (req.method() != "GET" && req.method() != "HEAD") method_not_allowed(req, "GET, HEAD");
      return answer(http::Response::text(200, metrics->render(store),
                                         "text/plain; version=0.0.4; charset=utf-8"));
    }
    Route route = parse_route(req.path());
    switch (route.endpoint) {
      case Endpoint::kBase:
        if (req.method() != "GET" && req.method() != "HEAD") method_not_allowed(req, "GET, HEAD");
        return answer(http::Response::json(200, "{}"));
      case Endpoint::kCatalog: return handle_catalog(store, req);
      case Endpoint::kTags: return handle_tags(store, req, route);
      case Endpoint::kManifest: return handle_manifest(store, req, route);
      case Endpoint::kBlob: return handle_blob(store, req, route);
      case Endpoint::kUploadStart: return handle_upload_start(store, req, route);
      case Endpoint::kUpload: return handle_upload(store, req, route);
      case Endpoint::kReferrers: return handle_referrers(store, req, route);
      case Endpoint::kNotFound: break;
    }
    throw Error(ErrorCode::kNameUnknown,
                "no such endpoint: " + std::string(req.path().substr(0, 300)) +
                    "; the registry API is under /v2/");
  };
}

}  // namespace ferry::api

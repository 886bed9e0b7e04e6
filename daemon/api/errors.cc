#include "daemon/api/errors.h"

#include <nlohmann/json.hpp>

#include "daemon/api/gate.h"
#include "runtime/log.h"

namespace ferry::api {

unsigned http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBlobUnknown: return 404;
    case ErrorCode::kBlobUploadInvalid: return 400;
    case ErrorCode::kBlobUploadUnknown: return 404;
    case ErrorCode::kDigestInvalid: return 400;
    case ErrorCode::kManifestBlobUnknown: return 400;
    case ErrorCode::kManifestInvalid: return 400;
    case ErrorCode::kManifestUnknown: return 404;
    case ErrorCode::kNameInvalid: return 400;
    case ErrorCode::kNameUnknown: return 404;
    case ErrorCode::kSizeInvalid: return 400;
    case ErrorCode::kUnauthorized: return 401;
    case ErrorCode::kDenied: return 403;
    case ErrorCode::kUnsupported: return 405;
    case ErrorCode::kTooManyRequests: return 429;
    case ErrorCode::kRangeInvalid: return 416;
    case ErrorCode::kStillReferenced: return 405;
    case ErrorCode::kTooLarge: return 413;
    case ErrorCode::kStorage: return 500;
    case ErrorCode::kInsufficientStorage: return 507;
    case ErrorCode::kInvalid: return 400;
    case ErrorCode::kExists: return 409;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kInternal: return 500;
  }
  return 500;
}

http::Response error_response(ErrorCode code, const std::string& message) {
  nlohmann::json body = {
      {"errors", nlohmann::json::array({{{"code", error_code_name(code)}, {"message", message}}})}};
  // Invalid UTF-8 from a client (echoed in a message) must not stop the reply.
  return http::Response::json(http_status(code),
                              body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

http::Response render_error(const std::exception& e) {
  if (const auto* fe = dynamic_cast<const Error*>(&e)) {
    if (fe->is_storage() || fe->code() == ErrorCode::kInternal) {
      log::error(fe->what());
    }
    http::Response r = error_response(fe->code(), fe->what());
    if (const auto* u = dynamic_cast<const Unauthorized*>(fe)) {
      r.header("WWW-Authenticate", u->challenge());
    }
    return r;
  }
  log::error(std::string("internal error: ") + e.what());
  return error_response(ErrorCode::kInternal, "internal error; see the registry log");
}

}  // namespace ferry::api

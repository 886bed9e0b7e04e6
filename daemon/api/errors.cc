#include "daemon/api/errors.h"

#include <nlohmann/json.hpp>

#include "access/rows.h"
#include "core/json_strict.h"
#include "runtime/log.h"

namespace ferry::api {
namespace {

WireError registry_wire_error(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBlobUnknown: return {404, "BLOB_UNKNOWN"};
    case ErrorCode::kBlobUploadInvalid: return {400, "BLOB_UPLOAD_INVALID"};
    case ErrorCode::kBlobUploadUnknown: return {404, "BLOB_UPLOAD_UNKNOWN"};
    case ErrorCode::kDigestInvalid: return {400, "DIGEST_INVALID"};
    case ErrorCode::kManifestBlobUnknown: return {400, "MANIFEST_BLOB_UNKNOWN"};
    case ErrorCode::kManifestInvalid: return {400, "MANIFEST_INVALID"};
    case ErrorCode::kManifestUnknown: return {404, "MANIFEST_UNKNOWN"};
    case ErrorCode::kNameInvalid: return {400, "NAME_INVALID"};
    case ErrorCode::kNameUnknown: return {404, "NAME_UNKNOWN"};
    case ErrorCode::kSizeInvalid: return {400, "SIZE_INVALID"};
    case ErrorCode::kUnauthorized: return {401, "UNAUTHORIZED"};
    case ErrorCode::kDenied: return {403, "DENIED"};
    case ErrorCode::kUnsupported: return {405, "UNSUPPORTED"};
    case ErrorCode::kTooManyRequests: return {429, "TOOMANYREQUESTS"};
    case ErrorCode::kRangeInvalid: return {416, "RANGE_INVALID"};
    case ErrorCode::kStillReferenced: return {405, "UNSUPPORTED"};
    case ErrorCode::kTooLarge: return {413, "SIZE_INVALID"};
    case ErrorCode::kStorage: return {500, "UNKNOWN"};
    case ErrorCode::kInsufficientStorage: return {507, "DENIED"};
    case ErrorCode::kInvalid: return {400, "INVALID"};
    case ErrorCode::kExists: return {409, "EXISTS"};
    case ErrorCode::kNotFound: return {404, "NOT_FOUND"};
    case ErrorCode::kInternal: return {500, "UNKNOWN"};
  }
  return {500, "UNKNOWN"};
}

// The admin API's refusals, with the codes of Ferry's own API.
WireError access_wire_error(access::AccessErrorKind kind) {
  switch (kind) {
    case access::AccessErrorKind::kInvalid: break;
    case access::AccessErrorKind::kExists: return registry_wire_error(ErrorCode::kExists);
    case access::AccessErrorKind::kUnknown: return registry_wire_error(ErrorCode::kNotFound);
  }
  return registry_wire_error(ErrorCode::kInvalid);
}

http::Response error_response(WireError wire, const std::string& message) {
  nlohmann::json body = {
      {"errors", nlohmann::json::array({{{"code", wire.code}, {"message", message}}})}};
  // Invalid UTF-8 from a client (echoed in a message) must not stop the reply.
  return http::Response::json(wire.status, json_text(body));
}

http::Response internal_error(const std::string& what) {
  log::error("internal error: " + what);
  return error_response(registry_wire_error(ErrorCode::kInternal),
                        "internal error; see the registry log");
}

http::Response render(const Error& e) {
  auto wire = wire_error(e);
  if (!wire) return internal_error(e.what());
  if (e.is_storage() || e.is(ErrorCode::kInternal)) log::error(e.what());
  http::Response r = error_response(*wire, e.what());
  if (e.challenge()) r.header("WWW-Authenticate", *e.challenge());
  return r;
}

}  // namespace

std::optional<WireError> wire_error(const Error& e) {
  if (auto code = e.code_in<ErrorCode>()) return registry_wire_error(*code);
  if (auto kind = e.code_in<access::AccessErrorKind>()) return access_wire_error(*kind);
  return std::nullopt;
}

http::Response render_error(std::exception_ptr failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const Error& e) {
    return render(e);
  } catch (const std::exception& e) {
    return internal_error(e.what());
  } catch (...) {
    return internal_error("an exception that is not a std::exception");
  }
}

}  // namespace ferry::api

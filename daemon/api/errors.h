// Refusals on the wire: the OCI error JSON with the status that goes with it.
#pragma once

#include <exception>
#include <optional>
#include <string_view>

#include "base/error.h"
#include "daemon/http/response.h"

namespace ferry::api {

struct WireError {
  unsigned status;        // 404, 507, ...
  std::string_view code;  // the spec's code string, e.g. "BLOB_UNKNOWN"
};

// The one mapping from an Error to HTTP: the registry domain, and the access
// domain's refusals (400 INVALID, 409 EXISTS, 404 NOT_FOUND). nullopt for
// the others (a bundle or key error reaching the API is a bug, answered as
// an internal error).
std::optional<WireError> wire_error(const Error& e);

// The exception being handled (std::current_exception()) as the client sees
// it: an Error wire_error() maps keeps its status, code, message and any
// WWW-Authenticate challenge; anything else is a 500 whose detail goes to
// the log rather than to the client.
http::Response render_error(std::exception_ptr failure);

}  // namespace ferry::api

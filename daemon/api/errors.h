// Refusals on the wire: the OCI error JSON with the status that goes with it.
#pragma once

#include <exception>

#include "core/error.h"
#include "daemon/http/response.h"

namespace ferry::api {

unsigned http_status(ErrorCode code);
http::Response error_response(ErrorCode code, const std::string& message);
// Any exception: ferry::Error keeps its code, anything else is a 500 whose
// detail goes to the log rather than to the client.
http::Response render_error(const std::exception& e);

}  // namespace ferry::api

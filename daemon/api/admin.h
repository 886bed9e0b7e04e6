// The admin API under /ferry/v1/: the route table of admin_routes.cc lists
// the endpoints.
#pragma once

#include "daemon/api/gate.h"
#include "daemon/api/handlers.h"
#include "daemon/jobs.h"

namespace ferry::api {

// The exchange that answers an admin request; throws the API error of a
// refusal: 401 or 403 (not an admin, or not of this), 404 (no such
// endpoint), 405 (naming the methods the path takes).
// `jobs` runs GC and scrub for POST gc and scrub; without it they answer 404.
ExchangePtr handle_admin(Store& store, Gate& gate, const Caller& caller, const http::Request& req,
                         Jobs* jobs = nullptr);

}  // namespace ferry::api

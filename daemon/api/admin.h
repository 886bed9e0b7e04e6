// The admin API under /ferry/v1/ (daemon/api/admin.cc lists the endpoints).
#pragma once

#include "daemon/api/gate.h"
#include "daemon/api/handlers.h"

namespace ferry::api {

ExchangePtr handle_admin(Store& store, Gate& gate, const Caller& caller, const http::Request& req);

}  // namespace ferry::api

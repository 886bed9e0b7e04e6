// The web console's login (docs/console.md, "Sessions"):
//   POST   /ferry/v1/session  {"user", "password"} (a password or a robot
//                             token): a session cookie and its CSRF token
//   GET    /ferry/v1/session  who the caller is and what they administer
//   DELETE /ferry/v1/session  log out: the session ends, the cookie is cleared
#pragma once

#include "daemon/api/gate.h"
#include "daemon/api/handlers.h"

namespace ferry::api {

ExchangePtr handle_session(Gate& gate, const Caller& caller, const http::Request& req);

}  // namespace ferry::api

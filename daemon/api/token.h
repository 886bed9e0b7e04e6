// The token endpoint, /ferry/v1/token, of the bearer-token flow
// (docs/access.md, "The protocol"): GET with HTTP Basic, as docker, podman
// and skopeo ask, and the OAuth2 password grant (POST of a form), which
// containerd and k3s try first.
#pragma once

#include "daemon/api/gate.h"
#include "daemon/api/handlers.h"

namespace ferry::api {

ExchangePtr handle_token(Gate& gate, const Caller& caller, const http::Request& req);

}  // namespace ferry::api

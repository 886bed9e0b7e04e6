// The OCI Distribution API as an HTTP router over a Store.
#pragma once

#include "core/store.h"
#include "daemon/http/exchange.h"

namespace ferry::api {

http::Router make_router(Store& store);

}  // namespace ferry::api

// The OCI Distribution API as an HTTP router over a Store.
#pragma once

#include "core/store.h"
#include "daemon/api/gate.h"
#include "daemon/http/exchange.h"
#include "daemon/jobs.h"
#include "daemon/metrics.h"

namespace ferry::api {

// With metrics, GET /metrics serves them; with a gate, every request is
// authenticated and authorised (docs/access.md).
// With jobs, POST /ferry/v1/gc and /ferry/v1/scrub start them.
http::Router make_router(Store& store, const Metrics* metrics = nullptr, Gate* gate = nullptr,
                         Jobs* jobs = nullptr);

}  // namespace ferry::api

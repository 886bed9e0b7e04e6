// Small helpers every handler uses: reading query parameters, refusing a
// method, wrapping an answer that needs no body.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "daemon/http/exchange.h"

namespace ferry::api {

using ExchangePtr = std::unique_ptr<http::Exchange>;

// The integer query parameter `name`, `fallback` when absent; throws INVALID
// (400) when it is not an integer from min to max.
int64_t query_int(const http::Request& req, const char* name, int64_t fallback, int64_t min,
                  int64_t max);

// Throws UNSUPPORTED (405) naming the methods the endpoint does take.
[[noreturn]] void method_not_allowed(const http::Request& req, std::string_view allowed);

inline ExchangePtr answer(http::Response r) {
  return std::make_unique<http::Immediate>(std::move(r));
}

}  // namespace ferry::api

// Small helpers every handler uses: reading query parameters, refusing a
// method, wrapping an answer that needs no body.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "daemon/http/exchange.h"

namespace ferry::api {

using ExchangePtr = std::unique_ptr<http::Exchange>;

// The integer query parameter `name`, `fallback` when absent; throws INVALID
// (400) when it is not an integer from min to max.
int64_t query_int(const http::Request& req, const char* name, int64_t fallback, int64_t min,
                  int64_t max);

// A listing's page (distribution spec, "Listing Tags"): at most `n` items
// after `last`. An answer without n is capped at kDefaultPage; a larger n
// gets a page of that size, and the Link header points at the rest.
constexpr int64_t kDefaultPage = 10000;
struct Page {
  int64_t n = kDefaultPage;
  std::string last;
};
// ?n= and ?last=; throws SIZE_INVALID (400) when n is not a non-negative integer.
Page page_of(const http::Request& req);

// Throws UNSUPPORTED (405) naming the methods the endpoint does take.
[[noreturn]] void method_not_allowed(const http::Request& req, std::string_view allowed);

inline ExchangePtr answer(http::Response r) {
  return std::make_unique<http::Immediate>(std::move(r));
}

}  // namespace ferry::api

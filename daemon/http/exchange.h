// One request in flight. The router creates it once the headers are in; the
// server feeds it the body as it streams (never buffering it) and asks for
// the response when the body is complete.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string_view>

#include "daemon/http/request.h"
#include "daemon/http/response.h"

namespace ferry::http {

class Exchange {
 public:
  virtual ~Exchange() = default;
  // A piece of the request body. Throwing ferry::Error ends the request with
  // that error at once; the rest of the body is not read.
  virtual void on_body(const char* data, size_t size) {
    (void)data;
    (void)size;
  }
  // The whole body has arrived (at once, for requests without one).
  virtual Response respond() = 0;
  // The most body bytes this exchange keeps in memory; 0 (the default) when
  // it keeps none (it streams them to disk, or takes no body). The server
  // refuses a longer Content-Length with 413 before reading the body, and
  // reserves the bytes from its body budget (BodyBudget) first.
  virtual uint64_t buffers_at_most() const { return 0; }
  // Before the first body piece: `bytes` were reserved for this body, so it
  // can allocate them once.
  virtual void will_buffer(uint64_t bytes) { (void)bytes; }
};

// An exchange whose answer needs no body: computed when the headers arrive.
class Immediate final : public Exchange {
 public:
  explicit Immediate(Response r) : response_(std::move(r)) {}
  Response respond() override { return std::move(response_); }

 private:
  Response response_;
};

// What the router tells the server's observer (metrics) about a request.
// Set as soon as it is known, so it holds for requests the router then
// refuses too.
struct RouteInfo {
  // Which part of the API: static text, one of Metrics::kRoutes.
  std::string_view label = "other";
  // Answered with X-Frame-Options, X-Content-Type-Options and
  // Referrer-Policy, refusals too: what a browser reads (/ferry/v1/, /ui/).
  bool browser_headers = false;
};

// Maps a request to its exchange, or throws ferry::Error.
using Router = std::function<std::unique_ptr<Exchange>(const Request&, RouteInfo&)>;
// Turns the exception being handled (std::current_exception()) into the
// response the client sees.
using ErrorRenderer = std::function<Response(std::exception_ptr)>;

}  // namespace ferry::http

// One request's way through the router and its exchange, exactly as the
// server runs it, with no I/O: the server (and the in-process test driver,
// tests/support/in_process.h) feed it the body and send what comes out.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "daemon/http/body_budget.h"
#include "daemon/http/exchange.h"

namespace ferry::http {

// libmicrohttpd 0.9.75 accepts a response only right after the headers or
// after the whole body. A refusal decided mid-body therefore waits while the
// rest of the body is read and dropped; past this many bytes the connection
// is cut instead, so a client cannot make us read garbage forever.
inline constexpr uint64_t kMaxDrainBytes = 64ULL << 20;
// Seconds a client is told to wait (Retry-After) when the body budget is full.
inline constexpr unsigned kBudgetRetrySeconds = 5;

class Dispatch {
 public:
  // Routes `request`; it, `render_error` and `budget` must outlive this. A
  // refusal is kept for the end of the body, so the connection stays alive,
  // unless the request announces a chunked or large body or waits for
  // "100 Continue": then answer_now() is true. Errors from the router are
  // rendered, never thrown.
  // An exchange that buffers its body (Exchange::buffers_at_most) is
  // refused with 413 when its Content-Length is over that, and with 429 and
  // Retry-After when `budget` cannot hold its Content-Length (or, for a
  // chunked body, its whole limit) now; the bytes stay reserved until this
  // is destroyed. Without a budget nothing is reserved. `client` (the
  // sender's address) is held to its share of the budget.
  Dispatch(const Router& router, const ErrorRenderer& render_error, const Request& request,
           BodyBudget* budget = nullptr, const std::string& client = {});

  // Send finish() before reading the body, then close the connection.
  bool answer_now() const { return answer_now_; }
  // A piece of the body. An error refuses the request (answered at
  // finish()); the rest of its body is read and dropped. Returns false once
  // more than kMaxDrainBytes were dropped: cut the connection.
  bool on_body(const char* data, size_t size);
  // The response: the refusal, or the exchange's answer, or its error
  // rendered, with Docker-Distribution-API-Version. The exchange is
  // released first (an upload's lock), as the client may send its next
  // request as soon as it has this answer. Call once.
  Response finish();

  const RouteInfo& route() const { return route_; }

 private:
  // Checks and reserves a buffered body's bytes; throws the refusal.
  void reserve_body(const Request& request, BodyBudget* budget, const std::string& client);

  const ErrorRenderer& render_error_;
  RouteInfo route_;
  BodyBudget::Reservation reservation_;  // outlives exchange_: declared first
  std::unique_ptr<Exchange> exchange_;
  std::optional<Response> refusal_;
  bool answer_now_ = false;
  bool budget_full_ = false;  // the refusal is the budget's: add Retry-After
  bool finished_ = false;
  uint64_t drained_ = 0;
};

}  // namespace ferry::http

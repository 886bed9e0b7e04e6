#include "daemon/http/dispatch.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>

#include "base/error.h"

namespace ferry::http {
namespace {

bool announces_large_body(const Request& request) {
  if (request.header("Transfer-Encoding")) return true;
  auto length = request.header("Content-Length");
  return length && std::strtoull(length->c_str(), nullptr, 10) > kMaxDrainBytes;
}

// The client sends its body only after "100 Continue": a refusal sent now
// spares it the upload (RFC 9110, 10.1.1).
bool expects_continue(const Request& request) {
  auto expect = request.header("Expect");
  if (!expect) return false;
  std::string value = *expect;
  for (char& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return value == "100-continue";
}

std::string mib(uint64_t bytes) {
  if (bytes % (1 << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

}  // namespace

void Dispatch::reserve_body(const Request& request, BodyBudget* budget, const std::string& client) {
  uint64_t most = exchange_->buffers_at_most();
  if (most == 0) return;
  std::optional<uint64_t> length;
  if (!request.header("Transfer-Encoding")) length = request.content_length();
  if (length && *length > most) {
    throw Error(ErrorCode::kTooLarge, "the request body is " + std::to_string(*length) +
                                          " bytes; this endpoint takes at most " +
                                          std::to_string(most) + " bytes");
  }
  uint64_t bytes = length.value_or(most);
  if (budget && !budget->try_reserve(bytes, client, reservation_)) {
    budget_full_ = true;
    std::string held = budget->capacity() - budget->used() >= bytes
                           ? "your address already has its share (a quarter) of the"
                           : "the registry already holds as many";
    throw Error(ErrorCode::kTooManyRequests,
                held + " request bodies in memory as http.body_memory (" + mib(budget->capacity()) +
                    ") allows; try again in " + std::to_string(kBudgetRetrySeconds) + " s");
  }
  exchange_->will_buffer(bytes);
}

Dispatch::Dispatch(const Router& router, const ErrorRenderer& render_error, const Request& request,
                   BodyBudget* budget, const std::string& client)
    : render_error_(render_error) {
  try {
    exchange_ = router(request, route_);
    reserve_body(request, budget, client);
  } catch (const std::exception&) {
    // Answer now (the connection then closes) rather than read a body we
    // will not use; for small or absent bodies answer at the end, which
    // keeps the connection alive.
    exchange_.reset();
    refusal_ = render_error_(std::current_exception());
    if (budget_full_) {
      refusal_->header("Retry-After", std::to_string(kBudgetRetrySeconds));
    }
    answer_now_ = announces_large_body(request) || expects_continue(request);
  }
}

bool Dispatch::on_body(const char* data, size_t size) {
  if (finished_ || refusal_) {
    drained_ += size;
    return drained_ <= kMaxDrainBytes;
  }
  try {
    exchange_->on_body(data, size);
  } catch (const std::exception&) {
    refusal_ = render_error_(std::current_exception());
  }
  return true;
}

Response Dispatch::finish() {
  finished_ = true;
  Response response;
  if (refusal_) {
    response = std::move(*refusal_);
    refusal_.reset();
  } else {
    try {
      response = exchange_->respond();
    } catch (const std::exception&) {
      response = render_error_(std::current_exception());
    }
  }
  exchange_.reset();
  reservation_.release();  // the body is gone with the exchange
  response.header("Docker-Distribution-API-Version", "registry/2.0");
  if (route_.browser_headers) {
    response.header("X-Frame-Options", "DENY");
    response.header("X-Content-Type-Options", "nosniff");
    response.header("Referrer-Policy", "no-referrer");
    // The API's answers (users, tokens, audit) are not for any cache; /ui/
    // sets its own.
    bool cache_set = std::any_of(response.headers.begin(), response.headers.end(),
                                 [](const auto& h) { return h.first == "Cache-Control"; });
    if (!cache_set) response.header("Cache-Control", "no-store");
  }
  return response;
}

}  // namespace ferry::http

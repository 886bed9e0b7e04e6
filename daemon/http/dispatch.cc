#include "daemon/http/dispatch.h"

#include <cstdlib>
#include <exception>

namespace ferry::http {
namespace {

bool announces_large_body(const Request& request) {
  if (request.header("Transfer-Encoding")) return true;
  auto length = request.header("Content-Length");
  return length && std::strtoull(length->c_str(), nullptr, 10) > kMaxDrainBytes;
}

}  // namespace

Dispatch::Dispatch(const Router& router, const ErrorRenderer& render_error, const Request& request)
    : render_error_(render_error) {
  try {
    exchange_ = router(request, route_);
  } catch (const std::exception&) {
    // Answer now (the connection then closes) rather than read a body we
    // will not use; for small or absent bodies answer at the end, which
    // keeps the connection alive.
    refusal_ = render_error_(std::current_exception());
    answer_now_ = announces_large_body(request);
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
  response.header("Docker-Distribution-API-Version", "registry/2.0");
  return response;
}

}  // namespace ferry::http

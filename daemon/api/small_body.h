// A request body small enough to hold (an admin change, a token request):
// buffered up to a limit, then handed whole to the code that answers. The
// server reserves the limit (or the Content-Length) from its body budget
// before the body is read (http::Dispatch).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "base/error.h"
#include "daemon/http/exchange.h"

namespace ferry::api {

class SmallBody final : public http::Exchange {
 public:
  using Work = std::function<http::Response(const std::string& body)>;
  // `what` names the body in the 413 refusal ("an admin request body").
  SmallBody(size_t limit, std::string what, Work work)
      : limit_(limit), what_(std::move(what)), work_(std::move(work)) {}

  void on_body(const char* data, size_t size) override {
    if (body_.size() + size > limit_) {
      throw Error(ErrorCode::kTooLarge,
                  what_ + " is at most " + std::to_string(limit_ / 1024) + " KiB");
    }
    body_.append(data, size);
  }
  http::Response respond() override { return work_(body_); }
  uint64_t buffers_at_most() const override { return limit_; }
  void will_buffer(uint64_t bytes) override { body_.reserve(bytes); }

 private:
  size_t limit_;
  std::string what_;
  Work work_;
  std::string body_;
};

}  // namespace ferry::api

// http::Dispatch with a body budget: buffered bodies are checked against
// their limit and reserved before a byte is read.
#include <gtest/gtest.h>

#include <optional>

#include "daemon/api/errors.h"
#include "daemon/http/dispatch.h"

namespace ferry::http {
namespace {

// Buffers up to `limit` bytes (0: streams, keeps none).
class Buffering final : public Exchange {
 public:
  explicit Buffering(uint64_t limit) : limit_(limit) {}
  void on_body(const char* data, size_t size) override { body_.append(data, size); }
  Response respond() override { return Response::empty(201); }
  uint64_t buffers_at_most() const override { return limit_; }
  void will_buffer(uint64_t bytes) override { body_.reserve(bytes); }

 private:
  uint64_t limit_;
  std::string body_;
};

class DispatchBudget : public ::testing::Test {
 protected:
  BodyBudget budget_{100};
  uint64_t limit_ = 80;
  Router router_ = [this](const Request&, RouteInfo&) {
    return std::make_unique<Buffering>(limit_);
  };
  ErrorRenderer render_ = api::render_error;

  static Request put(std::optional<uint64_t> length, bool expect_continue = false) {
    Request r("PUT", "/v2/a/manifests/v1");
    if (length)
      r.add_header("Content-Length", std::to_string(*length));
    else
      r.add_header("Transfer-Encoding", "chunked");
    if (expect_continue) r.add_header("Expect", "100-continue");
    return r;
  }
};

TEST_F(DispatchBudget, ReservesTheContentLengthUntilTheAnswer) {
  Request r = put(60);
  Dispatch d(router_, render_, r, &budget_);
  EXPECT_FALSE(d.answer_now());
  EXPECT_EQ(budget_.used(), 60u);
  EXPECT_TRUE(d.on_body("x", 1));
  EXPECT_EQ(d.finish().status, 201u);
  EXPECT_EQ(budget_.used(), 0u);
}

TEST_F(DispatchBudget, OverTheBudgetIs429WithRetryAfterAndTakesNothing) {
  Request r = put(60);
  Dispatch first(router_, render_, r, &budget_);
  Request second_request = put(60, true);
  Dispatch second(router_, render_, second_request, &budget_);
  EXPECT_TRUE(second.answer_now());  // before "100 Continue"
  EXPECT_EQ(budget_.used(), 60u);
  Response refused = second.finish();
  EXPECT_EQ(refused.status, 429u);
  EXPECT_NE(refused.bytes.find("TOOMANYREQUESTS"), std::string::npos) << refused.bytes;
  EXPECT_NE(refused.bytes.find("http.body_memory"), std::string::npos) << refused.bytes;
  bool retry_after = false;
  for (const auto& [name, value] : refused.headers) retry_after |= name == "Retry-After";
  EXPECT_TRUE(retry_after);
}

TEST_F(DispatchBudget, WithoutExpectContinueTheRefusalWaitsForTheBody) {
  Request r = put(60);
  Dispatch first(router_, render_, r, &budget_);
  Dispatch second(router_, render_, r, &budget_);
  EXPECT_FALSE(second.answer_now());  // read and drop the body, keep the connection
  EXPECT_TRUE(second.on_body("0123456789", 10));
  EXPECT_EQ(second.finish().status, 429u);
  EXPECT_EQ(budget_.used(), 60u);
}

TEST_F(DispatchBudget, AContentLengthOverTheLimitIs413AtOnce) {
  Request r = put(81, true);
  Dispatch d(router_, render_, r, &budget_);
  EXPECT_TRUE(d.answer_now());
  EXPECT_EQ(d.finish().status, 413u);
  EXPECT_EQ(budget_.used(), 0u);
  Request huge = put(70'000'000);  // answered at once even without Expect
  Dispatch h(router_, render_, huge, &budget_);
  EXPECT_TRUE(h.answer_now());
  EXPECT_EQ(h.finish().status, 413u);
}

TEST_F(DispatchBudget, AChunkedBodyReservesTheWholeLimit) {
  Request r = put(std::nullopt);
  Dispatch d(router_, render_, r, &budget_);
  EXPECT_EQ(budget_.used(), 80u);
  Request small = put(30);
  Dispatch refused(router_, render_, small, &budget_);
  EXPECT_EQ(refused.finish().status, 429u);
}

TEST_F(DispatchBudget, AStreamingExchangeTakesNothing) {
  limit_ = 0;
  Request r = put(1'000'000);
  Dispatch d(router_, render_, r, &budget_);
  EXPECT_FALSE(d.answer_now());
  EXPECT_EQ(budget_.used(), 0u);
  EXPECT_EQ(d.finish().status, 201u);
}

}  // namespace
}  // namespace ferry::http

#include "daemon/api/params.h"

#include <algorithm>
#include <charconv>
#include <string>

#include "base/error.h"

namespace ferry::api {

int64_t query_int(const http::Request& req, const char* name, int64_t fallback, int64_t min,
                  int64_t max) {
  auto text = req.query(name);
  if (!text) return fallback;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value < min || value > max) {
    throw Error(ErrorCode::kInvalid, std::string(name) + " must be an integer from " +
                                         std::to_string(min) + " to " + std::to_string(max) +
                                         ", not '" + text->substr(0, 40) + "'");
  }
  return value;
}

void method_not_allowed(const http::Request& req, std::string_view allowed) {
  throw Error(ErrorCode::kUnsupported, std::string(req.method()) + " is not supported on " +
                                           std::string(req.path().substr(0, 300)) +
                                           "; allowed: " + std::string(allowed));
}

Page page_of(const http::Request& req) {
  Page page;
  if (auto n = req.query("n")) {
    int64_t value = -1;
    auto [end, ec] = std::from_chars(n->data(), n->data() + n->size(), value);
    if (ec != std::errc() || end != n->data() + n->size() || value < 0) {
      throw Error(ErrorCode::kSizeInvalid,
                  "n must be a non-negative integer, not '" + n->substr(0, 40) + "'");
    }
    // A larger n gets a full page of this size and a Link to the rest,
    // as the distribution spec allows.
    page.n = std::min(value, kDefaultPage);
  }
  page.last = req.query("last").value_or("");
  return page;
}

}  // namespace ferry::api

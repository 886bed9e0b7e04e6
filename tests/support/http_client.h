// A small blocking HTTP client over libcurl for the integration tests.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace ferry::testing {

struct HttpResult {
  long status = 0;
  std::multimap<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string header(const std::string& name) const;
  // The first error code in an OCI error body, or "".
  std::string error_code() const;
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  bool chunked = false;  // send the body with Transfer-Encoding: chunked
};

HttpResult http(const HttpRequest& request);
inline HttpResult http_get(const std::string& url, std::vector<std::string> headers = {}) {
  return http({"GET", url, std::move(headers), "", false});
}

}  // namespace ferry::testing

// One HTTP request as a plain value: what the handlers read of it. The
// server fills it from libmicrohttpd once the headers are in (server.cc);
// tests build it directly (tests/support/in_process.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ferry::http {

class Request {
 public:
  Request() = default;
  // `path` percent-decoded, without the query.
  Request(std::string method, std::string path)
      : method_(std::move(method)), path_(std::move(path)) {}

  // Building (the server, tests). Repeated names keep every value, in order.
  Request& add_header(std::string name, std::string value);
  // A parameter without '=' (`?mount`) has no value.
  Request& add_query(std::string name, std::optional<std::string> value);
  Request& set_client_address(std::string address);
  // The path or a query parameter held %00 (see has_nul()).
  Request& set_nul(bool nul);

  std::string_view method() const { return method_; }
  // The path, already percent-decoded, without the query.
  std::string_view path() const { return path_; }
  // The first value of a header; names compare without case.
  std::optional<std::string> header(std::string_view name) const;
  // Every value of a header that may arrive on several lines (Accept).
  std::vector<std::string> header_values(std::string_view name) const;
  // The first value of a query parameter; nullopt when absent or without a
  // value. Names compare without case, as libmicrohttpd's lookup did.
  std::optional<std::string> query(std::string_view name) const;
  // Every value of a query parameter that may repeat (scope=...&scope=...);
  // names compare exactly.
  std::vector<std::string> query_values(std::string_view name) const;
  // Present, with or without a value; names compare without case.
  bool has_query(std::string_view name) const;
  // Content-Length, if the client sent one (not for chunked bodies).
  std::optional<uint64_t> content_length() const;
  // The path or a query parameter held %00: path() stops at the NUL, so
  // such a request must be refused, never served as the shorter path.
  bool has_nul() const { return nul_; }
  bool is_head() const { return method_ == "HEAD"; }
  // The peer's IP address as text ("-" when unknown).
  const std::string& client_address() const { return client_address_; }

 private:
  std::string method_;
  std::string path_;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::vector<std::pair<std::string, std::optional<std::string>>> query_;
  std::string client_address_ = "-";
  bool nul_ = false;
};

}  // namespace ferry::http

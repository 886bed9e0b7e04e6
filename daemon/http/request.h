// A read-only view of one HTTP request as libmicrohttpd presents it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct MHD_Connection;

namespace ferry::http {

std::string client_address(MHD_Connection* connection);

// Set (as a footer, which no client can send before the body) when the
// path or query held %00; see Server's unescape callback.
inline constexpr const char* kNulMarker = "ferry-nul-in-target";

class Request {
 public:
  Request(MHD_Connection* connection, std::string_view method, std::string_view path)
      : connection_(connection), method_(method), path_(path) {}

  std::string_view method() const { return method_; }
  // The path, already percent-decoded by libmicrohttpd, without the query.
  std::string_view path() const { return path_; }
  std::optional<std::string> header(const char* name) const;
  // Every value of a header that may arrive on several lines (Accept).
  std::vector<std::string> header_values(const char* name) const;
  std::optional<std::string> query(const char* name) const;
  // Every value of a query parameter that may repeat (scope=...&scope=...).
  std::vector<std::string> query_values(const char* name) const;
  bool has_query(const char* name) const;
  // Content-Length, if the client sent one (not for chunked bodies).
  std::optional<uint64_t> content_length() const;
  // The path or a query parameter held %00: path() stops at the NUL, so
  // such a request must be refused, never served as the shorter path.
  bool has_nul() const;
  bool is_head() const { return method_ == "HEAD"; }
  // The peer's IP address as text ("-" when unknown).
  std::string client_address() const;

 private:
  MHD_Connection* connection_;
  std::string_view method_;
  std::string_view path_;
};

}  // namespace ferry::http

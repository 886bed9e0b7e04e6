#include "daemon/http/request.h"

#include <charconv>

namespace ferry::http {
namespace {

bool same_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace

Request& Request::add_header(std::string name, std::string value) {
  headers_.emplace_back(std::move(name), std::move(value));
  return *this;
}

Request& Request::add_query(std::string name, std::optional<std::string> value) {
  query_.emplace_back(std::move(name), std::move(value));
  return *this;
}

Request& Request::set_client_address(std::string address) {
  client_address_ = std::move(address);
  return *this;
}

Request& Request::set_nul(bool nul) {
  nul_ = nul;
  return *this;
}

std::optional<std::string> Request::header(std::string_view name) const {
  for (const auto& [key, value] : headers_) {
    if (same_ignoring_case(key, name)) return value;
  }
  return std::nullopt;
}

std::vector<std::string> Request::header_values(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [key, value] : headers_) {
    if (same_ignoring_case(key, name)) out.push_back(value);
  }
  return out;
}

std::optional<std::string> Request::query(std::string_view name) const {
  for (const auto& [key, value] : query_) {
    if (same_ignoring_case(key, name)) return value;
  }
  return std::nullopt;
}

std::vector<std::string> Request::query_values(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [key, value] : query_) {
    if (key == name && value) out.push_back(*value);
  }
  return out;
}

bool Request::has_query(std::string_view name) const {
  for (const auto& entry : query_) {
    if (same_ignoring_case(entry.first, name)) return true;
  }
  return false;
}

std::optional<uint64_t> Request::content_length() const {
  auto v = header("Content-Length");
  if (!v) return std::nullopt;
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || end != v->data() + v->size()) return std::nullopt;
  return n;
}

}  // namespace ferry::http

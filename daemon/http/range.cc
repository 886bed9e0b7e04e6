#include "daemon/http/range.h"

#include <charconv>

namespace ferry::http {
namespace {

std::optional<uint64_t> parse_number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return n;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

RangeRequest parse_range(std::string_view header, uint64_t size) {
  header = trim(header);
  constexpr std::string_view kPrefix = "bytes=";
  if (header.substr(0, kPrefix.size()) != kPrefix) return {};
  std::string_view spec = trim(header.substr(kPrefix.size()));
  if (spec.find(',') != std::string_view::npos) return {};
  RangeRequest bad{RangeStatus::kUnsatisfiable, {}};
  auto dash = spec.find('-');
  if (dash == std::string_view::npos) return bad;
  std::string_view a = trim(spec.substr(0, dash));
  std::string_view b = trim(spec.substr(dash + 1));
  if (a.empty()) {  // suffix: the last n bytes
    auto n = parse_number(b);
    if (!n || *n == 0 || size == 0) return bad;
    uint64_t take = std::min(*n, size);
    return {RangeStatus::kSatisfiable, {size - take, size - 1}};
  }
  auto first = parse_number(a);
  if (!first || *first >= size) return bad;
  uint64_t last = size - 1;
  if (!b.empty()) {
    auto end = parse_number(b);
    if (!end || *end < *first) return bad;
    last = std::min(*end, size - 1);
  }
  return {RangeStatus::kSatisfiable, {*first, last}};
}

std::optional<ByteRange> parse_content_range(std::string_view header) {
  header = trim(header);
  if (header.substr(0, 6) == "bytes ") header = trim(header.substr(6));
  header = header.substr(0, header.find('/'));
  auto dash = header.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto first = parse_number(header.substr(0, dash));
  auto last = parse_number(header.substr(dash + 1));
  if (!first || !last || *last < *first) return std::nullopt;
  return ByteRange{*first, *last};
}

}  // namespace ferry::http

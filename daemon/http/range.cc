#include "daemon/http/range.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <vector>

namespace ferry::http {
namespace {

constexpr uint64_t kHuge = std::numeric_limits<uint64_t>::max();
// More elements than this is a broken client or a denial of service
// (RFC 9110 14.2): the header is ignored.
constexpr size_t kMaxRanges = 64;

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Exact: nullopt when not digits or when the value does not fit 64 bits.
std::optional<uint64_t> parse_number(std::string_view s) {
  if (!all_digits(s)) return std::nullopt;
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return n;
}

// Saturating: nullopt when not digits; kHuge when the value does not fit.
std::optional<uint64_t> parse_position(std::string_view s) {
  if (!all_digits(s)) return std::nullopt;
  auto n = parse_number(s);
  return n ? *n : kHuge;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_bytes_unit(std::string_view unit) {
  constexpr std::string_view kBytes = "bytes";
  if (unit.size() != kBytes.size()) return false;
  for (size_t i = 0; i < unit.size(); ++i) {
    char c = unit[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kBytes[i]) return false;
  }
  return true;
}

enum class Spec { kMalformed, kUnsatisfiable, kSatisfiable };

// One range-spec against `size`; on kSatisfiable with size > 0, `out` is the
// clamped span.
Spec parse_spec(std::string_view spec, uint64_t size, ByteRange& out) {
  auto dash = spec.find('-');
  if (dash == std::string_view::npos) return Spec::kMalformed;
  std::string_view a = trim(spec.substr(0, dash));
  std::string_view b = trim(spec.substr(dash + 1));
  if (a.empty()) {  // suffix-range: the last n bytes
    auto n = parse_position(b);
    if (!n) return Spec::kMalformed;
    if (*n == 0) return Spec::kUnsatisfiable;
    if (size > 0) out = {size - std::min(*n, size), size - 1};
    return Spec::kSatisfiable;
  }
  auto first = parse_position(a);
  if (!first) return Spec::kMalformed;
  uint64_t last = kHuge;
  if (!b.empty()) {
    auto end = parse_position(b);
    if (!end || *end < *first) return Spec::kMalformed;
    last = *end;
  }
  if (*first >= size) return Spec::kUnsatisfiable;
  out = {*first, std::min(last, size - 1)};
  return Spec::kSatisfiable;
}

// Merges overlapping or adjacent spans; true when they make one span.
bool merge_into_one(std::vector<ByteRange> spans, ByteRange& out) {
  std::sort(spans.begin(), spans.end(),
            [](const ByteRange& x, const ByteRange& y) { return x.first < y.first; });
  out = spans.front();
  for (size_t i = 1; i < spans.size(); ++i) {
    if (out.last != kHuge && spans[i].first > out.last + 1) return false;
    out.last = std::max(out.last, spans[i].last);
  }
  return true;
}

}  // namespace

RangeRequest parse_range(std::string_view header, uint64_t size) {
  header = trim(header);
  auto eq = header.find('=');
  if (eq == std::string_view::npos || !is_bytes_unit(trim(header.substr(0, eq)))) return {};
  const RangeRequest bad{RangeStatus::kUnsatisfiable, {}};
  std::string_view set = header.substr(eq + 1);
  std::vector<ByteRange> spans;
  size_t elements = 0;
  bool any_satisfiable = false;
  while (true) {
    auto comma = set.find(',');
    std::string_view spec = trim(set.substr(0, comma));
    if (!spec.empty()) {
      if (++elements > kMaxRanges) return {};
      ByteRange span;
      Spec s = parse_spec(spec, size, span);
      if (s == Spec::kMalformed) return bad;
      if (s == Spec::kSatisfiable) {
        any_satisfiable = true;
        if (size > 0) spans.push_back(span);
      }
    }
    if (comma == std::string_view::npos) break;
    set.remove_prefix(comma + 1);
  }
  if (elements == 0 || !any_satisfiable) return bad;
  if (size == 0) return {};
  ByteRange one;
  if (!merge_into_one(std::move(spans), one)) return {};
  return {RangeStatus::kSatisfiable, one};
}

std::optional<ByteRange> parse_content_range(std::string_view header) {
  header = trim(header);
  if (header.substr(0, 6) == "bytes ") header = trim(header.substr(6));
  header = header.substr(0, header.find('/'));
  auto dash = header.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto first = parse_number(trim(header.substr(0, dash)));
  auto last = parse_number(trim(header.substr(dash + 1)));
  // last == 2^64-1 would make length() wrap to 0.
  if (!first || !last || *last < *first || *last == kHuge) return std::nullopt;
  return ByteRange{*first, *last};
}

}  // namespace ferry::http

#include "core/units.h"

#include <charconv>
#include <limits>

namespace ferry {
namespace {

bool split_number(std::string_view text, uint64_t* number, std::string_view* unit) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *number);
  if (ec != std::errc() || end == text.data()) return false;
  *unit = text.substr(static_cast<size_t>(end - text.data()));
  while (!unit->empty() && unit->front() == ' ') unit->remove_prefix(1);
  return true;
}

std::optional<uint64_t> multiply(uint64_t n, uint64_t factor) {
  if (factor != 0 && n > std::numeric_limits<uint64_t>::max() / factor) return std::nullopt;
  return n * factor;
}

}  // namespace

std::optional<uint64_t> parse_size(std::string_view text) {
  uint64_t n = 0;
  std::string_view unit;
  if (!split_number(text, &n, &unit)) return std::nullopt;
  if (unit.empty() || unit == "B" || unit == "b") return n;
  char prefix = unit.front();
  std::string_view rest = unit.substr(1);
  if (!(rest.empty() || rest == "B" || rest == "iB" || rest == "b")) return std::nullopt;
  switch (prefix) {
    case 'k':
    case 'K': return multiply(n, 1ULL << 10);
    case 'm':
    case 'M': return multiply(n, 1ULL << 20);
    case 'g':
    case 'G': return multiply(n, 1ULL << 30);
    case 't':
    case 'T': return multiply(n, 1ULL << 40);
    default: return std::nullopt;
  }
}

std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
  uint64_t n = 0;
  std::string_view unit;
  if (!split_number(text, &n, &unit)) return std::nullopt;
  uint64_t factor = 0;
  if (unit.empty() || unit == "s")
    factor = 1;
  else if (unit == "m")
    factor = 60;
  else if (unit == "h")
    factor = 3600;
  else if (unit == "d")
    factor = 86400;
  else
    return std::nullopt;
  auto seconds = multiply(n, factor);
  if (!seconds || *seconds > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return std::nullopt;
  }
  return std::chrono::seconds(static_cast<int64_t>(*seconds));
}

}  // namespace ferry

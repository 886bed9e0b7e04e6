#include "core/units.h"

#include <charconv>
#include <cstdio>
#include <ctime>
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

std::string format_size(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  snprintf(buf, sizeof buf, u ? "%.1f %s" : "%.0f %s", v, units[u]);
  return buf;
}

std::string format_utc(int64_t unix_seconds) {
  time_t t = static_cast<time_t>(unix_seconds);
  tm utc{};
  gmtime_r(&t, &utc);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buf;
}

std::optional<int64_t> parse_utc(std::string_view text) {
  tm t{};
  char rest[16] = {};
  std::string s(text.substr(0, 40));
  int n = sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%15s", &t.tm_year, &t.tm_mon, &t.tm_mday,
                 &t.tm_hour, &t.tm_min, &t.tm_sec, rest);
  if (n != 7) return std::nullopt;
  std::string_view zone = rest;
  if (!zone.empty() && zone.front() == '.') {  // fractional seconds: ignored
    zone.remove_prefix(1);
    while (!zone.empty() && zone.front() >= '0' && zone.front() <= '9') zone.remove_prefix(1);
  }
  if (zone != "Z" && zone != "+00:00") return std::nullopt;
  if (t.tm_mon < 1 || t.tm_mon > 12 || t.tm_mday < 1 || t.tm_mday > 31 || t.tm_hour > 23 ||
      t.tm_min > 59 || t.tm_sec > 60) {
    return std::nullopt;
  }
  t.tm_year -= 1900;
  t.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&t));
}

}  // namespace ferry

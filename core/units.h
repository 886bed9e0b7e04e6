// Human-friendly sizes ("4MiB", "4G", "512k"), durations ("30s", "24h") and
// UTC timestamps.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ferry {

// Binary multiples: k/K/KiB = 1024, M/MiB, G/GiB, T/TiB; a bare number is bytes.
std::optional<uint64_t> parse_size(std::string_view text);
// s, m, h, d suffixes; a bare number is seconds.
std::optional<std::chrono::seconds> parse_duration(std::string_view text);

// "1.5 GiB", "512 B": sizes for people, in messages and progress lines.
std::string format_size(uint64_t bytes);

// RFC 3339 UTC timestamps as Ferry writes them ("2026-11-28T03:00:00Z").
std::string format_utc(int64_t unix_seconds);
// Accepts that form (and a fractional second or "+00:00"); nullopt otherwise.
std::optional<int64_t> parse_utc(std::string_view text);

}  // namespace ferry

// Human-friendly sizes ("4MiB", "4G", "512k") and durations ("30s", "24h").
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace ferry {

// Binary multiples: k/K/KiB = 1024, M/MiB, G/GiB, T/TiB; a bare number is bytes.
std::optional<uint64_t> parse_size(std::string_view text);
// s, m, h, d suffixes; a bare number is seconds.
std::optional<std::chrono::seconds> parse_duration(std::string_view text);

}  // namespace ferry

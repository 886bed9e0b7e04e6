// Byte ranges: the Range header of a blob GET and the Content-Range of an
// upload chunk.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace ferry::http {

struct ByteRange {
  uint64_t first = 0;
  uint64_t last = 0;  // inclusive
  uint64_t length() const { return last - first + 1; }
};

enum class RangeStatus { kNone, kSatisfiable, kUnsatisfiable };

struct RangeRequest {
  RangeStatus status = RangeStatus::kNone;
  ByteRange range;
};

// Parses "bytes=a-b", "bytes=a-" and "bytes=-n" against a resource of `size`
// bytes. A header in another unit, or a multi-range, is ignored (kNone: serve
// the whole thing, as RFC 9110 allows); a malformed or out-of-bounds byte
// range is kUnsatisfiable (416).
RangeRequest parse_range(std::string_view header, uint64_t size);

// Parses an upload chunk's Content-Range: "a-b" as the spec writes it, or
// "bytes a-b/*" as some clients send. nullopt when malformed or b < a.
std::optional<ByteRange> parse_content_range(std::string_view header);

}  // namespace ferry::http

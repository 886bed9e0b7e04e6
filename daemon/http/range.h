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

// kNone: serve the whole representation (200). kSatisfiable: serve `range`
// (206). kUnsatisfiable: 416 with "Content-Range: bytes */size".
enum class RangeStatus { kNone, kSatisfiable, kUnsatisfiable };

struct RangeRequest {
  RangeStatus status = RangeStatus::kNone;
  ByteRange range;
};

// Applies a Range header to a representation of `size` bytes (any size,
// 0 included) by RFC 9110 section 14:
// - a unit other than "bytes" (case-insensitive) is ignored: kNone;
// - the range-set is a comma list of "a-b", "a-" and "-n" (optional
//   whitespace, empty elements allowed); any malformed element, or b < a,
//   makes the whole header invalid: kUnsatisfiable (RFC 9110 14.2 lets a
//   server reject an invalid ranges-specifier);
// - "a-b"/"a-" is satisfiable iff a < size; b is clamped to size-1;
// - "-n" is satisfiable iff n > 0, whatever the size; n larger than the
//   content means the whole content;
// - numbers too large for 64 bits are not errors: a first-pos that large is
//   beyond any content, a last-pos or suffix-length that large means "to
//   the end";
// - no satisfiable element: kUnsatisfiable; the satisfiable elements merge
//   into one span (overlapping or adjacent): kSatisfiable with it;
//   otherwise kNone (the whole representation, which RFC 9110 allows instead
//   of multipart/byteranges);
// - a satisfiable set on empty content is kNone: the whole (empty)
//   representation, since no Content-Range can name zero bytes.
RangeRequest parse_range(std::string_view header, uint64_t size);

// Parses an upload chunk's Content-Range: "a-b" as the spec writes it, or
// "bytes a-b/*" as some clients send. nullopt when malformed, when a number
// does not fit 64 bits, or when b < a.
std::optional<ByteRange> parse_content_range(std::string_view header);

}  // namespace ferry::http

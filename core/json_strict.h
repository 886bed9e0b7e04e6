// The one way to read JSON that comes from outside the process: pushed
// manifests, a bundle's manifest and index.json and the manifests inside it,
// admin API bodies. Stricter than nlohmann's own parse, so the bytes stored
// are exactly the bytes that were checked, and every other client (Go's
// encoding/json, Python's json) reads them the same way:
// - exactly one JSON value, with nothing but whitespace after it (nlohmann
//   stops at a NUL byte and would ignore what follows);
// - valid UTF-8 throughout, with no byte order mark in front;
// - no key twice in one object, at any depth (nlohmann keeps the last, Go
//   the last, others the first: a checker and a client could disagree);
// - at most kMaxJsonDepth nested arrays and objects, and at most
//   `max_values` values in all (objects, arrays and scalars), which bounds
//   the memory the parsed value takes (about 16 to 80 bytes a value).
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace ferry {

inline constexpr size_t kMaxJsonDepth = 64;
inline constexpr size_t kNoValueLimit = 0;

struct StrictJson {
  nlohmann::json value;  // null when error is set
  std::string error;     // empty when the text was accepted; else our own words, one line
  bool ok() const { return error.empty(); }
};

// Parses the whole of `text` (NUL bytes included: it is a range, not a C
// string), in time linear in its length: the rules above are checked in a
// first pass before any value is built. Never throws for bad input; says why
// in `error`, e.g. "it has the key \"layers\" twice in one object" or
// "there is more after the JSON value (at byte 12)".
StrictJson parse_json_strict(std::string_view text, size_t max_depth = kMaxJsonDepth,
                             size_t max_values = kNoValueLimit);

// JSON as Ferry writes it (answers, --json output, receipts): compact, or
// indented by `indent` spaces. A string from outside that is not valid UTF-8
// (a user name tried at a login, a bundle's file name) comes out with U+FFFD
// in place of the bad bytes instead of failing the whole answer.
std::string json_text(const nlohmann::json& value, int indent = -1);

// The offset of the first byte that is not valid UTF-8 (overlong forms,
// surrogates and code points past U+10FFFF included), or npos.
size_t invalid_utf8_at(std::string_view text);

}  // namespace ferry

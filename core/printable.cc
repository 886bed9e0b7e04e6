#include "core/printable.h"

#include <cstdint>

namespace ferry {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void escape_byte(std::string& out, unsigned char c) {
  out += "\\x";
  out += kHex[c >> 4];
  out += kHex[c & 15];
}

// The length of the valid UTF-8 sequence at `s`, 0 when it is not one
// (overlong forms, surrogates and values above U+10FFFF are not).
size_t utf8_length(std::string_view s, uint32_t* code_point) {
  auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  auto cont = [&](size_t i) { return i < s.size() && (b(i) & 0xc0) == 0x80; };
  unsigned char c = b(0);
  if (c >= 0xc2 && c <= 0xdf && cont(1)) {
    *code_point = ((c & 0x1fu) << 6) | (b(1) & 0x3fu);
    return 2;
  }
  if (c >= 0xe0 && c <= 0xef && cont(1) && cont(2)) {
    uint32_t cp = ((c & 0x0fu) << 12) | ((b(1) & 0x3fu) << 6) | (b(2) & 0x3fu);
    if (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    *code_point = cp;
    return 3;
  }
  if (c >= 0xf0 && c <= 0xf4 && cont(1) && cont(2) && cont(3)) {
    uint32_t cp =
        ((c & 0x07u) << 18) | ((b(1) & 0x3fu) << 12) | ((b(2) & 0x3fu) << 6) | (b(3) & 0x3fu);
    if (cp < 0x10000 || cp > 0x10ffff) return 0;
    *code_point = cp;
    return 4;
  }
  return 0;
}

// C1 controls (a terminal may take U+009B as CSI) and the bidirectional
// overrides and isolates that make a line read differently than it is.
bool is_hidden_control(uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

}  // namespace

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    uint32_t cp = 0;
    size_t n = c >= 0x80 ? utf8_length(text.substr(i), &cp) : 0;
    if (n == 0) {  // a C0 control, DEL, or a byte that is not UTF-8
      escape_byte(out, c);
      ++i;
    } else if (is_hidden_control(cp)) {
      out += "\\u";
      for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(cp >> shift) & 15];
      i += n;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

}  // namespace ferry

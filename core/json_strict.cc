#include "core/json_strict.h"

#include <set>
#include <vector>

#include "core/printable.h"

namespace ferry {
namespace {

using nlohmann::json;

// The length of the UTF-8 sequence starting at text[i], or 0 if invalid
// (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF).
size_t utf8_sequence(std::string_view text, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char b = byte(i);
  if (b < 0x80) return 1;
  size_t n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 ? 2 : 0;
  if (n == 0 || b > 0xF4 || i + n > text.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  unsigned char second = byte(i + 1);
  if (b == 0xE0 && second < 0xA0) return 0;   // overlong
  if (b == 0xED && second >= 0xA0) return 0;  // surrogates
  if (b == 0xF0 && second < 0x90) return 0;   // overlong
  if (b == 0xF4 && second >= 0x90) return 0;  // past U+10FFFF
  return n;
}

std::string quoted_key(const std::string& key) {
  return "\"" + printable(key.substr(0, 100)) + "\"";
}

// A first pass over the text as SAX events, before any value is built:
// the nesting depth, the number of values and every object's keys. Not
// nlohmann's parser callback: on every object's end it scans the enclosing
// array, so `[{},{},...]` took time quadratic in its length.
class Checker {
 public:
  Checker(size_t max_depth, size_t max_values) : max_depth_(max_depth), max_values_(max_values) {}
  const std::string& why() const { return why_; }
  size_t error_byte() const { return error_byte_; }
  bool syntax_error() const { return syntax_error_; }

  bool null() { return value(); }
  bool boolean(bool) { return value(); }
  bool number_integer(json::number_integer_t) { return value(); }
  bool number_unsigned(json::number_unsigned_t) { return value(); }
  bool number_float(json::number_float_t, const std::string&) { return value(); }
  bool string(std::string&) { return value(); }
  bool binary(json::binary_t&) { return value(); }
  bool start_object(size_t) { return open(true); }
  bool start_array(size_t) { return open(false); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(std::string& key) {
    if (keys_.back().insert(key).second) return true;
    return refuse("it has the key " + quoted_key(key) + " twice in one object");
  }
  bool parse_error(size_t byte, const std::string&, const nlohmann::detail::exception& e) {
    syntax_error_ = true;
    error_byte_ = byte;
    trailing_ =
        std::string_view(e.what()).find("; expected end of input") != std::string_view::npos;
    return false;
  }
  bool trailing() const { return trailing_; }

 private:
  bool value() {
    if (max_values_ == 0 || ++values_ <= max_values_) return true;
    return refuse("it has more than " + std::to_string(max_values_) + " JSON values");
  }
  bool open(bool /*object*/) {
    if (!value()) return false;
    if (depth_ >= max_depth_) {
      return refuse("it nests arrays and objects more than " + std::to_string(max_depth_) +
                    " deep");
    }
    ++depth_;
    keys_.emplace_back();
    return true;
  }
  bool close() {
    --depth_;
    keys_.pop_back();
    return true;
  }
  bool refuse(std::string why) {
    why_ = std::move(why);
    return false;
  }

  size_t max_depth_, max_values_;
  size_t depth_ = 0, values_ = 0;
  std::vector<std::set<std::string>> keys_;
  std::string why_;
  size_t error_byte_ = 0;
  bool syntax_error_ = false, trailing_ = false;
};

std::string precheck(std::string_view text) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return "it is empty";
  if (text.substr(0, 3) == "\xEF\xBB\xBF") return "it starts with a byte order mark";
  if (auto at = text.find('\0'); at != std::string_view::npos) {
    return "it has a NUL byte (at byte " + std::to_string(at) + ")";
  }
  if (auto at = invalid_utf8_at(text); at != std::string_view::npos) {
    return "it is not valid UTF-8 (at byte " + std::to_string(at) + ")";
  }
  return "";
}

}  // namespace

size_t invalid_utf8_at(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    size_t n = utf8_sequence(text, i);
    if (n == 0) return i;
    i += n;
  }
  return std::string_view::npos;
}

StrictJson parse_json_strict(std::string_view text, size_t max_depth, size_t max_values) {
  StrictJson out;
  out.error = precheck(text);
  if (!out.ok()) return out;
  Checker checker(max_depth, max_values);
  bool passed = false;
  try {
    passed = json::sax_parse(text.begin(), text.end(), &checker, json::input_format_t::json,
                             /*strict=*/true, /*ignore_comments=*/false);
  } catch (const json::exception&) {
    passed = false;
  }
  if (!passed) {
    if (!checker.why().empty()) {
      out.error = checker.why();
    } else if (checker.syntax_error()) {
      // Our words, with nlohmann's byte position (1-based: the offending byte).
      size_t at = checker.error_byte() > 0 ? checker.error_byte() - 1 : 0;
      out.error = checker.trailing() && checker.error_byte() <= text.size()
                      ? "there is more after the JSON value (at byte " + std::to_string(at) + ")"
                      : "it is not valid JSON (at byte " + std::to_string(at) + ")";
    } else {
      out.error = "it is not valid JSON";
    }
    return out;
  }
  try {
    out.value = json::parse(text.begin(), text.end());  // checked above: builds, linear
  } catch (const json::exception&) {
    out.error = "it is not valid JSON";
    out.value = nullptr;
  }
  return out;
}

std::string json_text(const nlohmann::json& value, int indent) {
  return value.dump(indent, ' ', false, json::error_handler_t::replace);
}

}  // namespace ferry

#include "core/json_strict.h"

#include <set>
#include <vector>

#include "core/printable.h"

namespace ferry {
namespace {

using nlohmann::json;

// Thrown from the parser callback to stop at the first violation.
struct Refused {
  std::string why;
};

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

// Sees every key and every nesting level while nlohmann builds the value.
class Watcher {
 public:
  explicit Watcher(size_t max_depth) : max_depth_(max_depth) {}

  bool operator()(int /*depth*/, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        if (open_.size() >= max_depth_) {
          throw Refused{"it nests arrays and objects more than " + std::to_string(max_depth_) +
                        " deep"};
        }
        open_.push_back(event == json::parse_event_t::object_start);
        keys_.emplace_back();
        break;
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        open_.pop_back();
        keys_.pop_back();
        break;
      case json::parse_event_t::key:
        if (!keys_.back().insert(parsed.get<std::string>()).second) {
          throw Refused{"it has the key " + quoted_key(parsed.get<std::string>()) +
                        " twice in one object"};
        }
        break;
      case json::parse_event_t::value: break;
    }
    return true;
  }

 private:
  size_t max_depth_;
  std::vector<bool> open_;  // true: an object
  std::vector<std::set<std::string>> keys_;
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

StrictJson parse_json_strict(std::string_view text, size_t max_depth) {
  StrictJson out;
  out.error = precheck(text);
  if (!out.ok()) return out;
  Watcher watcher(max_depth);
  try {
    out.value = json::parse(text.begin(), text.end(), std::ref(watcher), /*allow_exceptions=*/true,
                            /*ignore_comments=*/false);
  } catch (const Refused& r) {
    out.error = r.why;
  } catch (const json::parse_error& e) {
    // Our words, with nlohmann's byte position (1-based: the offending byte).
    bool trailing =
        std::string_view(e.what()).find("; expected end of input") != std::string_view::npos &&
        e.byte > 0 && e.byte <= text.size();
    out.error =
        trailing
            ? "there is more after the JSON value (at byte " + std::to_string(e.byte - 1) + ")"
            : "it is not valid JSON (at byte " + std::to_string(e.byte > 0 ? e.byte - 1 : 0) + ")";
  } catch (const json::exception&) {
    out.error = "it is not valid JSON";
  }
  if (!out.ok()) out.value = nullptr;
  return out;
}

}  // namespace ferry

// Whatever parse_json_strict accepts is one value of valid UTF-8 without a
// NUL byte, and dumping and parsing it again gives the same value.
#include <cstdint>
#include <cstdlib>

#include "core/json_strict.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ferry::StrictJson r = ferry::parse_json_strict(text);
  if (!r.ok()) {
    if (r.error.find('\n') != std::string::npos) std::abort();  // one line, always
    return 0;
  }
  if (text.find('\0') != std::string_view::npos) std::abort();
  if (ferry::invalid_utf8_at(text) != std::string_view::npos) std::abort();
  auto again = ferry::parse_json_strict(r.value.dump());
  if (!again.ok() || again.value != r.value) std::abort();
  return 0;
}

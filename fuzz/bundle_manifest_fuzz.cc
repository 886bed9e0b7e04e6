// bundle::Manifest::parse (bundle/format.h): ferry-bundle.json as import
// reads it, before and after its signature is checked. A refusal is
// ferry::Error (kMalformed). Whatever parses must write back to canonical
// JSON that parses to the same JSON again, and its own layout index must
// pass check_layout_index.
#include "base/error.h"
#include "bundle/format.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ferry;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  bundle::Manifest m;
  try {
    m = bundle::Manifest::parse(text);
  } catch (const Error&) {
    return 0;
  }
  std::string once = m.to_json();
  std::string twice = bundle::Manifest::parse(once).to_json();
  if (once != twice) __builtin_trap();
  bundle::check_layout_index(bundle::layout_index(m), m);
  (void)m.trusted_comment();
  (void)m.referrer_count();
  return 0;
}

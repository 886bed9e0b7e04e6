// parse_manifest on any bytes: a ParsedManifest or an Error, nothing else.
#include <cstdint>
#include <cstdlib>

#include "base/error.h"
#include "core/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    ferry::parse_manifest(text, "");
  } catch (const ferry::Error&) {
  }
  return 0;
}

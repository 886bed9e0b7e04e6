// The image reference grammar, core/reference.h: what `ferry pack` and
// `ferryd mirror` accept as [HOST[:PORT]/]PATH[:TAG][@DIGEST]. A refusal is
// std::invalid_argument. A parsed reference is normalised: parsing its
// str() again gives the same reference, and its kept name is a REPO:TAG.
#include <stdexcept>

#include "core/reference.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ferry;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ImageReference ref;
  try {
    ref = parse_reference(text);
  } catch (const std::invalid_argument&) {
    return 0;
  }
  (void)names_registry_host(text);
  (void)registry_api_host(ref.host);
  ImageReference again = parse_reference(ref.str());
  if (again.str() != ref.str() || again.name() != ref.name()) __builtin_trap();
  if (auto kept = ref.kept_name()) {
    if (kept->find(':') == std::string::npos) __builtin_trap();
  }
  return 0;
}

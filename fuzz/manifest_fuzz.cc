// parse_manifest (core/manifest.h): image manifests and indexes, OCI and
// Docker, as a manifest PUT hands them over. Input: the first byte picks the
// request's Content-Type (or none); the rest is the body. The only refusal
// allowed is ferry::Error (MANIFEST_INVALID, a 400); anything else escaping
// would be a 500, and a crash a dead ferryd.
#include <array>

#include "base/error.h"
#include "core/manifest.h"
#include "core/media_types.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ferry;
  static constexpr std::array<std::string_view, 8> kTypes = {
      "",
      media::kOciManifest,
      media::kOciIndex,
      media::kDockerManifest,
      media::kDockerManifestList,
      media::kDockerSchema1Signed,
      "application/json",
      "application/vnd.oci.image.manifest.v1+json; charset=utf-8"};
  fuzz::Input in(data, size);
  std::string_view type = kTypes[in.byte() % kTypes.size()];
  try {
    ParsedManifest m = parse_manifest(in.rest(), type);
    // What the store relies on afterwards: an index lists children, an image
    // manifest blobs, never both.
    if (m.is_index && !m.blobs.empty()) __builtin_trap();
    if (!m.is_index && !m.manifests.empty()) __builtin_trap();
  } catch (const Error&) {
  }
  return 0;
}

// bundle::BundleReader (bundle/reader.h) over a tar stream, plain or zstd,
// as import reads a bundle from the inbox: every entry's header, the small
// entries whole (read_whole with the format's limits), the rest in blocks.
// The input is the bundle file itself, held in a memfd (no disk). A refusal
// is ferry::Error (damaged, oversized). Output is capped so a small zstd
// bomb costs time, not the fuzzer's memory.
#include <vector>

#include "base/error.h"
#include "bundle/format.h"
#include "bundle/reader.h"
#include "fuzz/fuzz_input.h"

namespace {

constexpr uint64_t kMaxOut = 64 << 20;

void read_all(ferry::bundle::BundleReader& reader) {
  using namespace ferry::bundle;
  std::vector<char> block(64 << 10);
  uint64_t total = 0;
  while (auto entry = reader.next()) {
    if (entry->name == kManifestEntry || entry->name == kIndexEntry) {
      std::string text = reader.read_whole(*entry, kMaxManifestBytes, entry->name);
      if (text.size() != entry->size) __builtin_trap();
      if (entry->name == kManifestEntry) {
        try {
          (void)Manifest::parse(text);
        } catch (const ferry::Error&) {
        }
      }
      total += text.size();
    } else if (entry->name == kSignatureEntry) {
      total += reader.read_whole(*entry, kMaxSignatureBytes, "signature").size();
    } else {
      while (size_t n = reader.read(block.data(), block.size())) {
        total += n;
        if (total > kMaxOut) return;
      }
    }
    if (total > kMaxOut) return;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ferry::fuzz::MemFile file({reinterpret_cast<const char*>(data), size});
  try {
    ferry::bundle::BundleReader reader(file.path());
    read_all(reader);
  } catch (const ferry::Error&) {
  }
  return 0;
}

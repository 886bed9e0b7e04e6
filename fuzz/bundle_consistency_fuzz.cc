// A bundle's signed manifest, then the consistency checks of its images over
// an in-memory store holding every listed blob at its declared size, with
// the bytes after the first "\n--\n" as each manifest's content, and the
// same bytes as index.json. Only Error(BundleErrorKind) may come out.
#include <cstdint>
#include <cstdlib>
#include <map>

#include "base/error.h"
#include "bundle/consistency.h"
#include "bundle/error.h"
#include "bundle/format.h"

namespace {

class FakeContent : public ferry::bundle::ContentLookup {
 public:
  FakeContent(const ferry::bundle::Manifest& m, std::string body) : body_(std::move(body)) {
    for (const auto& b : m.blobs) sizes_[b.digest] = b.size;
  }
  std::optional<uint64_t> size(const ferry::Digest& digest) override {
    auto it = sizes_.find(digest);
    if (it == sizes_.end()) return std::nullopt;
    return it->second;
  }
  std::string read(const ferry::Digest&) override { return body_; }

 private:
  std::map<ferry::Digest, uint64_t> sizes_;
  std::string body_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto cut = input.find("\n--\n");
  std::string_view head = input.substr(0, cut);
  std::string body(cut == std::string_view::npos ? "" : input.substr(cut + 4));
  try {
    auto m = ferry::bundle::Manifest::parse(head);
    try {
      ferry::bundle::check_layout_index(body, m);
    } catch (const ferry::Error& e) {
      if (!e.code_in<ferry::bundle::BundleErrorKind>()) std::abort();
    }
    FakeContent content(m, body);
    ferry::bundle::plan_images(m, content, 4 << 20);
  } catch (const ferry::Error& e) {
    if (!e.code_in<ferry::bundle::BundleErrorKind>()) std::abort();
  }
  return 0;
}

// Range (blob GET) and Content-Range (upload PATCH) parsing,
// daemon/http/range.h. Input: 8 bytes of resource size (big-endian; the
// top bits mostly cleared so small sizes, the empty blob among them, are
// common), then the header text. A satisfiable range must lie inside the
// resource; a parsed Content-Range must not run backwards.
#include "daemon/http/range.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ferry::http;
  ferry::fuzz::Input in(data, size);
  uint8_t shape = in.byte();
  uint64_t resource = in.u64();
  if (shape & 1) resource &= 0xffff;  // small resources, 0 included
  std::string_view header = in.rest();
  RangeRequest r = parse_range(header, resource);
  if (r.status == RangeStatus::kSatisfiable) {
    if (resource == 0 || r.range.first > r.range.last || r.range.last >= resource) {
      __builtin_trap();
    }
    if (r.range.length() == 0 || r.range.length() > resource) __builtin_trap();
  }
  if (auto c = parse_content_range(header)) {
    if (c->first > c->last) __builtin_trap();
  }
  return 0;
}

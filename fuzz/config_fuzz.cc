// ferryd's TOML config, runtime/config.h: load_config_file over the
// defaults, the file held in a memfd (no disk). A refusal is
// std::runtime_error naming the key; anything else escaping (a bad
// optional, an out_of_range) is a bug that would kill ferryd at start.
#include <stdexcept>

#include "fuzz/fuzz_input.h"
#include "runtime/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ferry;
  fuzz::MemFile file({reinterpret_cast<const char*>(data), size});
  DaemonConfig config;
  try {
    load_config_file(file.path(), config);
  } catch (const std::runtime_error&) {
    return 0;
  }
  std::string address;
  uint16_t port = 0;
  if (split_listen(config.listen, &address, &port)) (void)is_loopback_address(address);
  (void)listens_on_loopback(config.listen);
  (void)config.inbox_path();
  return 0;
}

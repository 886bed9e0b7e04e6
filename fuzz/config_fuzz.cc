// ferryd's TOML config, runtime/config.h: load_config_file over the
// defaults, the file held in a memfd (no disk). A refusal is
// std::runtime_error naming the key; anything else escaping (a bad
// optional, an out_of_range) is a bug that would kill ferryd at start.
#include <stdexcept>

#include "fuzz/fuzz_input.h"
#include "runtime/config.h"
#include "runtime/listen.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ferry;
  fuzz::MemFile file({reinterpret_cast<const char*>(data), size});
  DaemonConfig config;
  try {
    load_config_file(file.path(), config);
  } catch (const std::runtime_error&) {
    return 0;
  }
  // Parsing only: resolving names would reach the network.
  try {
    for (const auto& listen : parse_listens(config.listen)) (void)listen.text();
  } catch (const std::invalid_argument&) {
  }
  for (const auto& listen : config.listen) (void)is_loopback_host(listen);
  (void)config.inbox_path();
  return 0;
}

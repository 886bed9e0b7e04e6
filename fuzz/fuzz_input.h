// What the fuzz targets share: the libFuzzer entry point's declaration, a
// byte cursor to split one input into several values, and a memfd so a
// target whose code under test reads a file (the bundle reader, the TOML
// config) never writes to disk.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/unique_fd.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace ferry::fuzz {

// Takes values off the front of the input; past its end, zeros.
class Input {
 public:
  Input(const uint8_t* data, size_t size) : rest_(reinterpret_cast<const char*>(data), size) {}
  uint8_t byte() {
    if (rest_.empty()) return 0;
    auto b = static_cast<uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }
  uint64_t u64() {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | byte();
    return v;
  }
  // Up to the first '\n' (taken off), or all that is left.
  std::string_view line() {
    auto nl = rest_.find('\n');
    auto out = rest_.substr(0, nl);
    rest_.remove_prefix(nl == std::string_view::npos ? rest_.size() : nl + 1);
    return out;
  }
  std::string_view rest() const { return rest_; }

 private:
  std::string_view rest_;
};

// An anonymous in-memory file holding `bytes`, named by /proc/self/fd/N.
class MemFile {
 public:
  explicit MemFile(std::string_view bytes) : fd_(::memfd_create("ferry-fuzz", MFD_CLOEXEC)) {
    if (!fd_) throw std::runtime_error("memfd_create failed");
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::write(fd_.get(), bytes.data() + done, bytes.size() - done);
      if (n <= 0) throw std::runtime_error("memfd write failed");
      done += static_cast<size_t>(n);
    }
  }
  std::string path() const { return "/proc/self/fd/" + std::to_string(fd_.get()); }

 private:
  UniqueFd fd_;
};

}  // namespace ferry::fuzz

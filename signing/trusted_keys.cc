#include "signing/trusted_keys.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

namespace ferry::signing {
namespace {

// A public key file is one comment line and 56 characters of base64.
constexpr size_t kMaxKeyFile = 4096;

// The file's text, or an error message. Opened without blocking and read
// only when it is a regular file of at most kMaxKeyFile bytes: a FIFO, a
// device or a huge file dropped into the trust folder cannot hang or
// exhaust whoever reads the folder.
std::string read_key_file(const std::string& path, std::string& text) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return "cannot open";
  struct stat st {};
  std::string why;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    why = "not a regular file";
  } else if (static_cast<uint64_t>(st.st_size) > kMaxKeyFile) {
    why = "too large for a public key";
  } else {
    text.resize(static_cast<size_t>(st.st_size));
    ssize_t n = ::read(fd, text.data(), text.size());
    if (n < 0) why = "unreadable";
    text.resize(n < 0 ? 0 : static_cast<size_t>(n));
  }
  ::close(fd);
  return why;
}

}  // namespace

TrustedKeys load_trusted_keys(const std::string& dir) {
  namespace fs = std::filesystem;
  TrustedKeys out;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    out.problems.push_back(dir + ": " + ec.message());
    return out;
  }
  std::vector<fs::path> files;
  // increment(ec): a failing readdir is reported, never taken for the end.
  for (fs::directory_iterator end; it != end; it.increment(ec)) {
    if (it->path().extension() == ".pub") files.push_back(it->path());
  }
  if (ec) out.problems.push_back(dir + ": " + ec.message());
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    std::string text;
    if (std::string why = read_key_file(path.string(), text); !why.empty()) {
      out.problems.push_back(path.string() + ": " + why);
      continue;
    }
    try {
      out.keys.push_back(PublicKey::parse(text));
    } catch (const std::exception& e) {
      out.problems.push_back(path.string() + ": " + e.what());
    }
  }
  return out;
}

}  // namespace ferry::signing

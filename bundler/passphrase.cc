#include "bundler/passphrase.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "core/unique_fd.h"

namespace ferry::cli {
namespace {

constexpr size_t kMaxPassphrase = 1024;

// Copies one line (without its newline) into a fresh guarded buffer.
signing::SecureBuffer first_line(const char* data, size_t size) {
  signing::SecureBuffer out(kMaxPassphrase + 1);
  size_t n = 0;
  while (n < size && n < kMaxPassphrase && data[n] != '\n' && data[n] != '\r') {
    out.data()[n] = static_cast<unsigned char>(data[n]);
    ++n;
  }
  out.data()[n] = 0;
  if (n == 0) throw std::runtime_error("the passphrase is empty");
  return out;
}

signing::SecureBuffer from_file(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw std::runtime_error("cannot read passphrase file " + path + ": " + strerror(errno));
  signing::SecureBuffer buf(kMaxPassphrase);
  ssize_t n = ::read(fd.get(), buf.data(), buf.size());
  if (n < 0) throw std::runtime_error("cannot read passphrase file " + path);
  return first_line(reinterpret_cast<const char*>(buf.data()), static_cast<size_t>(n));
}

signing::SecureBuffer prompt(UniqueFd& tty, const char* question) {
  ssize_t ignored = ::write(tty.get(), question, strlen(question));
  termios old{};
  tcgetattr(tty.get(), &old);
  termios quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  tcsetattr(tty.get(), TCSAFLUSH, &quiet);
  signing::SecureBuffer buf(kMaxPassphrase);
  ssize_t n = ::read(tty.get(), buf.data(), buf.size());
  tcsetattr(tty.get(), TCSAFLUSH, &old);
  ignored = ::write(tty.get(), "\n", 1);
  (void)ignored;
  if (n <= 0) throw std::runtime_error("no passphrase was typed");
  return first_line(reinterpret_cast<const char*>(buf.data()), static_cast<size_t>(n));
}

}  // namespace

std::string_view view_of(const signing::SecureBuffer& passphrase) {
  return reinterpret_cast<const char*>(passphrase.data());
}

signing::SecureBuffer read_passphrase(const PassphraseSource& source, bool confirm) {
  if (source.file) return from_file(*source.file);
  if (const char* env = std::getenv("FERRY_PASSPHRASE")) return first_line(env, strlen(env));
  UniqueFd tty(::open("/dev/tty", O_RDWR | O_CLOEXEC));
  if (!tty) {
    throw std::runtime_error(
        "a passphrase is needed but there is no terminal; use --passphrase-file FILE or set "
        "FERRY_PASSPHRASE");
  }
  signing::SecureBuffer first = prompt(tty, "Passphrase: ");
  if (confirm) {
    signing::SecureBuffer again = prompt(tty, "Passphrase (again): ");
    if (view_of(first) != view_of(again)) throw std::runtime_error("the passphrases differ");
  }
  return first;
}

}  // namespace ferry::cli

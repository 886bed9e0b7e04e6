#include "daemon/systemd/notify.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "core/unique_fd.h"

namespace ferry::systemd {
namespace {

// A decimal variable that must be entirely digits.
std::optional<unsigned long long> number_env(const char* name) {
  const char* text = std::getenv(name);
  if (!text || !*text) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(text, &end, 10);
  if (errno || *end != '\0') return std::nullopt;
  return v;
}

bool names_us(const char* pid_variable) {
  auto pid = number_env(pid_variable);
  return pid && *pid == static_cast<unsigned long long>(getpid());
}

}  // namespace

bool notify(std::string_view state) {
  const char* path = std::getenv("NOTIFY_SOCKET");
  if (!path || (path[0] != '/' && path[0] != '@')) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  size_t len = std::strlen(path);
  if (len >= sizeof addr.sun_path) return false;
  std::memcpy(addr.sun_path, path, len);
  if (addr.sun_path[0] == '@') addr.sun_path[0] = '\0';  // abstract namespace
  UniqueFd fd(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd) return false;
  auto addr_len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + len);
  return sendto(fd.get(), state.data(), state.size(), MSG_NOSIGNAL,
                reinterpret_cast<const sockaddr*>(&addr),
                addr_len) == static_cast<ssize_t>(state.size());
}

std::optional<std::chrono::microseconds> watchdog_interval() {
  auto usec = number_env("WATCHDOG_USEC");
  if (!usec || *usec == 0) return std::nullopt;
  if (std::getenv("WATCHDOG_PID") && !names_us("WATCHDOG_PID")) return std::nullopt;
  return std::chrono::microseconds(*usec);
}

std::vector<int> take_listen_fds() {
  constexpr int kFirst = 3;  // SD_LISTEN_FDS_START
  auto count = number_env("LISTEN_FDS");
  bool ours = names_us("LISTEN_PID");
  unsetenv("LISTEN_FDS");
  unsetenv("LISTEN_PID");
  unsetenv("LISTEN_FDNAMES");
  std::vector<int> fds;
  if (!ours || !count || *count < 1 || *count > 1024) return fds;
  for (int fd = kFirst; fd < kFirst + static_cast<int>(*count); ++fd) {
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    fds.push_back(fd);
  }
  return fds;
}

}  // namespace ferry::systemd

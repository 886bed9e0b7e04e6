#include "daemon/http/listen_socket.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace ferry::http {

ListenSocket open_listen_socket(const ListenSocketAddress& address) {
  const auto& sa = reinterpret_cast<const sockaddr&>(address.address);
  auto refuse = [&](const char* step) {
    std::string why = std::strerror(errno);
    if (errno == EADDRINUSE) why += " (another program, or another --listen, has it)";
    if (errno == EADDRNOTAVAIL) why += " (no interface of this host has that address)";
    throw std::runtime_error("cannot listen on " + address.text + ": " + step + ": " + why +
                             "; pick another --listen");
  };
  UniqueFd fd(::socket(sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) refuse("socket");
  int on = 1, off = 0;
  setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  if (sa.sa_family == AF_INET6 &&
      setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) != 0) {
    refuse("dual-stack (IPV6_V6ONLY off)");
  }
  if (::bind(fd.get(), &sa, address.length) != 0) refuse("bind");
  if (::listen(fd.get(), 1024) != 0) refuse("listen");
  return adopt_listen_socket(fd.release());
}

ListenSocket adopt_listen_socket(int raw) {
  ListenSocket out;
  out.fd.reset(raw);
  sockaddr_storage bound{};
  socklen_t length = sizeof bound;
  if (::getsockname(raw, reinterpret_cast<sockaddr*>(&bound), &length) != 0) {
    out.name = "socket " + std::to_string(raw) + " (" + std::strerror(errno) + ")";
    return out;  // not loopback: nobody can say it is
  }
  const auto& sa = reinterpret_cast<const sockaddr&>(bound);
  out.name = socket_address_text(sa);
  out.loopback = is_loopback(sa);
  return out;
}

}  // namespace ferry::http

// ferryd's listening sockets: bound here for each --listen address, or
// taken over from systemd (socket activation). The server serves each one.
#pragma once

#include <string>

#include "core/unique_fd.h"
#include "runtime/listen.h"

namespace ferry::http {

struct ListenSocket {
  UniqueFd fd;
  std::string name;       // "127.0.0.1:5000", "[::1]:5000" (the port bound, for port 0)
  bool loopback = false;  // is_loopback() of the bound address (runtime/listen.h)
};

// Binds `address` and listens (backlog 1024, SO_REUSEADDR). An IPv6 socket
// is dual-stack (IPV6_V6ONLY off, whatever net.ipv6.bindv6only says), so
// [::] takes IPv4 clients too. Throws std::runtime_error "cannot listen on
// ADDRESS: why; ...".
ListenSocket open_listen_socket(const ListenSocketAddress& address);

// A listening socket systemd passed: owned from here, named and judged by
// the address it is bound to (getsockname).
ListenSocket adopt_listen_socket(int fd);

}  // namespace ferry::http

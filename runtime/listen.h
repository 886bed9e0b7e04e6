// Where ferryd listens: `--listen` values and the `listen` key, parsed,
// resolved to socket addresses, and the one rule for "beyond loopback"
// (which decides the locked default, docs/access.md).
//
// A value is HOST:PORT, HOST being an IPv4 address (127.0.0.1), an IPv6
// address in brackets ([::1], [::] for every interface, IPv4 included), a
// host name (localhost: every address it resolves to), or empty (":5000",
// every IPv4 interface, as 0.0.0.0:5000).
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ferry {

struct ListenAddress {
  enum class Kind { kIPv4, kIPv6, kName };
  Kind kind = Kind::kIPv4;
  // The address without brackets, numeric ones normalised ("::1",
  // "127.0.0.1"), or the host name as written.
  std::string host;
  uint16_t port = 0;  // 0: any free port

  // As it would be written again: "127.0.0.1:5000", "[::1]:5000".
  std::string text() const;
  bool operator==(const ListenAddress&) const = default;
};

// Parses one value. Throws std::invalid_argument with a message that says
// what is wrong and what to write instead (e.g. "write [::1]:5000").
ListenAddress parse_listen(std::string_view value);

// At most this many values: each address costs a socket and its threads.
inline constexpr size_t kMaxListenValues = 16;

// Parses every value; refuses an empty list, more than kMaxListenValues
// and the same value twice. Throws std::invalid_argument as parse_listen
// does.
std::vector<ListenAddress> parse_listens(const std::vector<std::string>& values);

// One socket address to bind.
struct ListenSocketAddress {
  sockaddr_storage address{};
  socklen_t length = 0;
  std::string text;  // "127.0.0.1:5000", "[::1]:5000"
};

// The socket addresses of one value: one for a numeric address, every
// address a host name resolves to (getaddrinfo, IPv4 and IPv6, no
// duplicates). Throws std::runtime_error naming the host when it does not
// resolve.
std::vector<ListenSocketAddress> resolve_listen(const ListenAddress& listen);

// Every socket address of every value, in order. Throws
// std::invalid_argument when two values give the same address (127.0.0.1
// and localhost) or one takes another's (on one port, [::] takes every
// address and 0.0.0.0 every IPv4 one: binding both fails), saying which to
// keep; std::runtime_error as resolve_listen does.
std::vector<ListenSocketAddress> resolve_listens(const std::vector<ListenAddress>& listens);

// "127.0.0.1:5000", "[::1]:5000"; "a Unix socket" or "a non-IP socket"
// for other families (a socket systemd passed).
std::string socket_address_text(const sockaddr& address);

// THE loopback rule: 127.0.0.0/8, ::1, and IPv4-mapped 127.0.0.0/8 are
// loopback; anything else (0.0.0.0, ::, ::ffff:0.0.0.0, routable
// addresses) is not. Any family but IPv4 and IPv6 is not.
bool is_loopback(const sockaddr& address);

// A host as a client writes it (Host header, URL): "localhost", an IPv4
// address, or an IPv6 address with or without brackets. Names other than
// localhost are never resolved (a DNS name may point anywhere tomorrow),
// so they are not loopback.
bool is_loopback_host(std::string_view host);

// Whether listening on these values serves beyond loopback: true if any
// address of any of them (names resolved) is not loopback, or a name does
// not resolve (then nobody can say it is loopback). An unparsable value
// counts as beyond loopback.
bool listens_beyond_loopback(const std::vector<std::string>& values);

}  // namespace ferry

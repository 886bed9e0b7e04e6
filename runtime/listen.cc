#include "runtime/listen.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace ferry {
namespace {

constexpr const char* kExamples =
    "write e.g. 127.0.0.1:5000, [::1]:5000, [::]:5000 or localhost:5000";

[[noreturn]] void refuse(std::string_view value, const std::string& why) {
  throw std::invalid_argument("listen address '" + std::string(value).substr(0, 200) + "' " + why);
}

struct FreeAddrinfo {
  void operator()(addrinfo* a) const { freeaddrinfo(a); }
};
using Addrinfo = std::unique_ptr<addrinfo, FreeAddrinfo>;

// getaddrinfo for a numeric or named host; null when it fails (`error` then says why).
Addrinfo lookup(const std::string& host, int family, int flags, uint16_t port, int* error) {
  addrinfo hints{};
  hints.ai_family = family;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = flags | AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  std::string service = std::to_string(port);
  *error = getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
  return Addrinfo(*error == 0 ? found : nullptr);
}

// The numeric form of `host` in `family` ("::1", "fe80::1%eth0"), or "".
std::string numeric(const std::string& host, int family) {
  int error = 0;
  Addrinfo found = lookup(host, family, AI_NUMERICHOST, 0, &error);
  if (!found) return "";
  char text[NI_MAXHOST];
  if (getnameinfo(found->ai_addr, found->ai_addrlen, text, sizeof text, nullptr, 0,
                  NI_NUMERICHOST) != 0) {
    return "";
  }
  return text;
}

bool is_port_text(std::string_view text, uint16_t* port) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value > 65535) {
    return false;
  }
  *port = static_cast<uint16_t>(value);
  return true;
}

uint16_t port_of(std::string_view value, std::string_view port_text, const std::string& host) {
  uint16_t port = 0;
  if (!is_port_text(port_text, &port)) {
    refuse(value, "has port '" + std::string(port_text).substr(0, 20) +
                      "', not a number from 0 to 65535; write e.g. " + host + ":5000");
  }
  return port;
}

// RFC 1123 host name: dot-separated labels of letters, digits and '-'.
bool is_host_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  size_t label = 0;
  for (size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      if (label == 0 || label > 63 || name[i - 1] == '-' || name[i - label] == '-') return false;
      label = 0;
    } else if (std::isalnum(static_cast<unsigned char>(name[i])) || name[i] == '-') {
      ++label;
    } else {
      return false;
    }
  }
  return true;
}

// fe80::/10: bind() needs the interface (scope) to pick the link.
bool is_link_local(const std::string& v6) {
  in6_addr a{};
  return inet_pton(AF_INET6, v6.c_str(), &a) == 1 && IN6_IS_ADDR_LINKLOCAL(&a);
}

// A value with commas or blanks: several addresses, or one with spaces.
[[noreturn]] void refuse_separators(std::string_view value) {
  auto first = value.find_first_not_of(" \t");
  auto last = value.find_last_not_of(" \t");
  std::string_view inner =
      first == std::string_view::npos ? "" : value.substr(first, last - first + 1);
  if (!inner.empty() && inner.find_first_of(", \t") == std::string_view::npos) {
    refuse(value, "has blanks around it; write " + std::string(inner).substr(0, 200));
  }
  refuse(value,
         "holds several addresses, or blanks; give each address separately, without blanks: "
         "repeat --listen, or in the config write listen = [\"127.0.0.1:5000\", \"[::1]:5000\"]");
}

// What is wrong with "[inside]" that is not an IPv6 address.
[[noreturn]] void refuse_bracketed(std::string_view value, const std::string& inside) {
  if (inside.empty()) refuse(value, "has nothing in its brackets; write e.g. [::1]:5000");
  if (auto percent = inside.find('%'); percent != std::string::npos) {
    std::string address = numeric(inside.substr(0, percent), AF_INET6);
    std::string interface = inside.substr(percent + 1).substr(0, 60);
    if (!address.empty() && !is_link_local(address)) {
      refuse(value, "has a %interface, which only a link-local address (fe80::/10) takes; write [" +
                        address + "]:5000");
    }
    if (!address.empty() && if_nametoindex(interface.c_str()) == 0) {
      refuse(value, "names interface '" + interface +
                        "', which this host does not have (`ip -brief link` lists them)");
    }
  }
  std::string v4 = numeric(inside, AF_INET);
  if (!v4.empty()) refuse(value, "puts an IPv4 address in brackets; write " + v4 + ":5000");
  refuse(value, "has '" + inside.substr(0, 60) +
                    "' in brackets, which is not an IPv6 address; write e.g. [::1]:5000");
}

// "[v6]:port".
ListenAddress parse_bracketed(std::string_view value) {
  auto close = value.find(']');
  if (close == std::string_view::npos) {
    refuse(value, "has no closing ']'; write e.g. [::1]:5000");
  }
  std::string inside(value.substr(1, close - 1));
  std::string_view rest = value.substr(close + 1);
  std::string v6 = numeric(inside, AF_INET6);
  if (v6.empty()) refuse_bracketed(value, inside);
  if (is_link_local(v6) && v6.find('%') == std::string::npos) {
    std::string port = rest.size() > 1 ? std::string(rest.substr(1)) : "5000";
    refuse(value, "is link-local, which needs its interface; write e.g. [" + v6 + "%eth0]:" + port);
  }
  std::string shown = "[" + v6 + "]";
  if (rest.empty()) refuse(value, "has no port; write " + shown + ":5000");
  if (rest[0] != ':') refuse(value, "must have ':PORT' right after ']'; write " + shown + ":5000");
  return {ListenAddress::Kind::kIPv6, v6, port_of(value, rest.substr(1), shown)};
}

// Several colons, no brackets: an IPv6 address, most likely.
[[noreturn]] void refuse_bare_ipv6(std::string_view value) {
  auto colon = value.rfind(':');
  std::string host = numeric(std::string(value.substr(0, colon)), AF_INET6);
  uint16_t port = 0;
  if (!host.empty() && is_port_text(value.substr(colon + 1), &port)) {
    refuse(value,
           "needs brackets around the IPv6 address; write [" + host + "]:" + std::to_string(port));
  }
  std::string whole = numeric(std::string(value), AF_INET6);
  if (!whole.empty()) {
    refuse(value, "has no port, and an IPv6 address goes in brackets; write [" + whole + "]:5000");
  }
  refuse(value, std::string("is not HOST:PORT (IPv6 addresses go in brackets); ") + kExamples);
}

// "HOST:PORT" with HOST an IPv4 address, a name, or empty.
ListenAddress parse_host_port(std::string_view value) {
  auto colon = value.find(':');
  std::string host(value.substr(0, colon));
  if (host.empty()) host = "0.0.0.0";
  bool dotted = std::all_of(host.begin(), host.end(), [](char c) {
    return c == '.' || std::isdigit(static_cast<unsigned char>(c));
  });
  if (dotted) {
    std::string v4 = numeric(host, AF_INET);
    in_addr strict{};
    if (v4.empty() || inet_pton(AF_INET, host.c_str(), &strict) != 1) {
      refuse(value, "has '" + host.substr(0, 60) + "', which is not an IPv4 address; " + kExamples);
    }
    return {ListenAddress::Kind::kIPv4, v4, port_of(value, value.substr(colon + 1), v4)};
  }
  if (!is_host_name(host)) {
    refuse(value, "has '" + host.substr(0, 60) + "', which is not an address or a host name; " +
                      kExamples);
  }
  return {ListenAddress::Kind::kName, host, port_of(value, value.substr(colon + 1), host)};
}

}  // namespace

std::string ListenAddress::text() const {
  std::string shown = kind == Kind::kIPv6 ? "[" + host + "]" : host;
  return shown + ":" + std::to_string(port);
}

ListenAddress parse_listen(std::string_view value) {
  if (value.empty()) refuse(value, std::string("is empty; ") + kExamples);
  if (value.find_first_of(", \t") != std::string_view::npos) refuse_separators(value);
  if (auto scheme = value.find("://"); scheme != std::string_view::npos) {
    refuse(value,
           "is a URL; write only HOST:PORT, e.g. " +
               std::string(value.substr(scheme + 3, value.find('/', scheme + 3) - scheme - 3)));
  }
  if (value.front() == '[') return parse_bracketed(value);
  auto colons = std::count(value.begin(), value.end(), ':');
  if (colons > 1) refuse_bare_ipv6(value);
  if (colons == 0) {
    uint16_t port = 0;
    if (is_port_text(value, &port)) {
      refuse(value, "has no address; write 127.0.0.1:" + std::string(value) +
                        " (this host only) or [::]:" + std::string(value) + " (every interface)");
    }
    refuse(value, "has no port; write " + std::string(value) + ":5000");
  }
  return parse_host_port(value);
}

std::vector<ListenAddress> parse_listens(const std::vector<std::string>& values) {
  if (values.empty()) {
    throw std::invalid_argument(std::string("no listen address given; ") + kExamples);
  }
  if (values.size() > kMaxListenValues) {
    throw std::invalid_argument("too many listen addresses (" + std::to_string(values.size()) +
                                "); give at most " + std::to_string(kMaxListenValues) +
                                ", or [::]:PORT for every interface");
  }
  std::vector<ListenAddress> out;
  for (const auto& value : values) {
    ListenAddress a = parse_listen(value);
    if (std::find(out.begin(), out.end(), a) != out.end()) {
      refuse(value, "is given twice; give each address once");
    }
    out.push_back(std::move(a));
  }
  return out;
}

std::vector<ListenSocketAddress> resolve_listen(const ListenAddress& listen) {
  int family = listen.kind == ListenAddress::Kind::kIPv4   ? AF_INET
               : listen.kind == ListenAddress::Kind::kIPv6 ? AF_INET6
                                                           : AF_UNSPEC;
  int flags = listen.kind == ListenAddress::Kind::kName ? 0 : AI_NUMERICHOST;
  int error = 0;
  Addrinfo found = lookup(listen.host, family, flags, listen.port, &error);
  if (!found) {
    throw std::runtime_error("cannot resolve '" + listen.host + "' of listen address " +
                             listen.text() + ": " + gai_strerror(error));
  }
  std::vector<ListenSocketAddress> out;
  for (const addrinfo* a = found.get(); a; a = a->ai_next) {
    if (a->ai_family != AF_INET && a->ai_family != AF_INET6) continue;
    ListenSocketAddress s;
    std::memcpy(&s.address, a->ai_addr, a->ai_addrlen);
    s.length = a->ai_addrlen;
    s.text = socket_address_text(*a->ai_addr);
    bool seen = std::any_of(out.begin(), out.end(),
                            [&](const ListenSocketAddress& o) { return o.text == s.text; });
    if (!seen) out.push_back(s);
  }
  if (out.empty()) {
    throw std::runtime_error("'" + listen.host + "' of listen address " + listen.text() +
                             " has no IPv4 or IPv6 address");
  }
  return out;
}

namespace {

bool is_wildcard(const sockaddr& a) {
  if (a.sa_family == AF_INET) {
    return reinterpret_cast<const sockaddr_in&>(a).sin_addr.s_addr == htonl(INADDR_ANY);
  }
  return a.sa_family == AF_INET6 &&
         IN6_IS_ADDR_UNSPECIFIED(&reinterpret_cast<const sockaddr_in6&>(a).sin6_addr);
}

bool is_ipv4_or_mapped(const sockaddr& a) {
  return a.sa_family == AF_INET ||
         (a.sa_family == AF_INET6 &&
          IN6_IS_ADDR_V4MAPPED(&reinterpret_cast<const sockaddr_in6&>(a).sin6_addr));
}

uint16_t port_of(const sockaddr& a) {
  return ntohs(a.sa_family == AF_INET ? reinterpret_cast<const sockaddr_in&>(a).sin_port
                                      : reinterpret_cast<const sockaddr_in6&>(a).sin6_port);
}

sockaddr_in as_ipv4(const sockaddr& a) {
  if (a.sa_family == AF_INET) return reinterpret_cast<const sockaddr_in&>(a);
  const auto& v6 = reinterpret_cast<const sockaddr_in6&>(a);
  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  v4.sin_port = v6.sin6_port;
  std::memcpy(&v4.sin_addr, &v6.sin6_addr.s6_addr[12], 4);
  return v4;
}

// Whether two socket addresses name one address and port, an IPv4 one
// and its IPv4-mapped IPv6 form (::ffff:127.0.0.1) included.
bool same_address(const sockaddr& a, const sockaddr& b) {
  if (is_ipv4_or_mapped(a) && is_ipv4_or_mapped(b)) {
    sockaddr_in x = as_ipv4(a), y = as_ipv4(b);
    return x.sin_port == y.sin_port && x.sin_addr.s_addr == y.sin_addr.s_addr;
  }
  return socket_address_text(a) == socket_address_text(b);
}

// Whether binding `wildcard` takes `other` too, so the second bind would
// fail with EADDRINUSE: [::] (dual-stack) takes every address of its port,
// 0.0.0.0 every IPv4 one. Port 0 (any free port) takes nothing.
bool takes(const sockaddr& wildcard, const sockaddr& other) {
  if (!is_wildcard(wildcard) || port_of(wildcard) == 0 || port_of(wildcard) != port_of(other)) {
    return false;
  }
  return wildcard.sa_family == AF_INET6 || is_ipv4_or_mapped(other);
}

}  // namespace

std::vector<ListenSocketAddress> resolve_listens(const std::vector<ListenAddress>& listens) {
  std::vector<ListenSocketAddress> out;
  std::vector<std::string> named_by;  // the value each address came from
  for (const auto& listen : listens) {
    for (auto& a : resolve_listen(listen)) {
      const auto& sa = reinterpret_cast<const sockaddr&>(a.address);
      for (size_t i = 0; i < out.size(); ++i) {
        const auto& before = reinterpret_cast<const sockaddr&>(out[i].address);
        auto refuse_pair = [&](const std::string& why) {
          throw std::invalid_argument("listen addresses " + named_by[i] + " and " + listen.text() +
                                      why);
        };
        if (same_address(before, sa)) refuse_pair(" both name " + a.text + "; give it once");
        if (takes(before, sa)) {
          refuse_pair(" overlap: " + out[i].text + " already takes " + a.text + "; give only " +
                      out[i].text);
        }
        if (takes(sa, before)) {
          refuse_pair(" overlap: " + a.text + " already takes " + out[i].text + "; give only " +
                      a.text);
        }
      }
      out.push_back(std::move(a));
      named_by.push_back(listen.text());
    }
  }
  return out;
}

std::string socket_address_text(const sockaddr& address) {
  char host[NI_MAXHOST] = "?";
  char port[NI_MAXSERV] = "?";
  socklen_t length = address.sa_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
  if (address.sa_family != AF_INET && address.sa_family != AF_INET6) {
    return address.sa_family == AF_UNIX ? "a Unix socket" : "a non-IP socket";
  }
  getnameinfo(&address, length, host, sizeof host, port, sizeof port,
              NI_NUMERICHOST | NI_NUMERICSERV);
  return address.sa_family == AF_INET6 ? "[" + std::string(host) + "]:" + port
                                       : std::string(host) + ":" + port;
}

bool is_loopback(const sockaddr& address) {
  if (is_ipv4_or_mapped(address)) return (ntohl(as_ipv4(address).sin_addr.s_addr) >> 24) == 127;
  return address.sa_family == AF_INET6 &&
         IN6_IS_ADDR_LOOPBACK(&reinterpret_cast<const sockaddr_in6&>(address).sin6_addr);
}

bool is_loopback_host(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  std::string text(host);
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (text == "localhost") return true;
  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  if (inet_pton(AF_INET, text.c_str(), &v4.sin_addr) == 1) {
    return is_loopback(reinterpret_cast<const sockaddr&>(v4));
  }
  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  if (inet_pton(AF_INET6, text.c_str(), &v6.sin6_addr) == 1) {
    return is_loopback(reinterpret_cast<const sockaddr&>(v6));
  }
  return false;
}

bool listens_beyond_loopback(const std::vector<std::string>& values) {
  try {
    for (const auto& listen : parse_listens(values)) {
      for (const auto& s : resolve_listen(listen)) {
        if (!is_loopback(reinterpret_cast<const sockaddr&>(s.address))) return true;
      }
    }
    return false;
  } catch (const std::exception&) {
    return true;
  }
}

}  // namespace ferry

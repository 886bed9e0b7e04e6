// Who the client is and which URL it used, when ferryd sits behind a
// reverse proxy (docs/configuration.md, [http] public_url and
// trusted_proxies). Forwarding headers (Forwarded, X-Forwarded-For,
// X-Forwarded-Proto, X-Forwarded-Host) are believed only when the peer that
// sent the request is a configured trusted proxy; from anyone else they are
// ignored, so a client cannot choose the URL ferryd hands out or the address
// its failed logins are throttled under.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/http/request.h"

namespace ferry::http {

// A set of addresses and CIDR blocks, IPv4 and IPv6 ("10.0.0.1",
// "10.0.0.0/8", "fd00::/8"). An IPv4-mapped IPv6 address
// ("::ffff:10.0.0.1") matches as its IPv4 address.
class AddressSet {
 public:
  AddressSet() = default;
  // Throws std::invalid_argument naming the first entry that is not an
  // address or a block with a valid prefix length.
  static AddressSet parse(const std::vector<std::string>& entries);
  // Whether `address` (text, as Request::client_address() gives it) is in
  // the set; false for anything that is not an IP address.
  bool contains(std::string_view address) const;
  bool empty() const { return blocks_.empty(); }

 private:
  struct Block {
    std::array<uint8_t, 16> bytes{};  // IPv4 as IPv4-mapped IPv6
    unsigned prefix = 128;
  };
  std::vector<Block> blocks_;
};

struct Forwarding {
  // "https://registry.example.com" or "http://10.1.2.3:5000": when set, the
  // scheme and host of every URL ferryd builds, whatever the headers say.
  std::string public_url;
  AddressSet trusted_proxies;
  bool tls = false;  // ferryd itself serves HTTPS
};

// Checks an [http] public_url: "http://" or "https://", a host (name, IPv4,
// or [IPv6]) and an optional port, nothing else but an optional final "/".
// Returns it without that "/", or throws std::invalid_argument saying why.
std::string normalize_public_url(std::string_view url);

struct ExternalView {
  std::string client_address;  // the original client, or the peer
  std::string origin;          // "scheme://host[:port]", no final "/"
};

// The client and origin for `req`: public_url if set; else, from a trusted
// peer, the Forwarded header (RFC 7239: the element added by the outermost
// trusted proxy), or X-Forwarded-For (rightmost address that is not a
// trusted proxy), X-Forwarded-Proto and X-Forwarded-Host (their last
// values); else the Host header and ferryd's own scheme. A host that is not
// a plain host[:port] is never used ("localhost" instead).
ExternalView external_view(const Request& req, const Forwarding& forwarding);

}  // namespace ferry::http

#include "daemon/http/forwarded.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <stdexcept>

namespace ferry::http {
namespace {

using Bytes = std::array<uint8_t, 16>;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// An IP address as 16 bytes, IPv4 as IPv4-mapped IPv6.
std::optional<Bytes> parse_ip(std::string_view text) {
  std::string s(text);
  Bytes out{};
  in_addr v4{};
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    out[10] = out[11] = 0xff;
    std::memcpy(out.data() + 12, &v4, 4);
    return out;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    std::memcpy(out.data(), &v6, 16);
    return out;
  }
  return std::nullopt;
}

bool is_v4_mapped(const Bytes& b) {
  return std::all_of(b.begin(), b.begin() + 10, [](uint8_t x) { return x == 0; }) &&
         b[10] == 0xff && b[11] == 0xff;
}

// "1.2.3.4:80" -> "1.2.3.4"; "[::1]:80" -> "::1"; "::1" stays.
std::string_view strip_port(std::string_view node) {
  if (!node.empty() && node.front() == '[') {
    auto close = node.find(']');
    return close == std::string_view::npos ? std::string_view{} : node.substr(1, close - 1);
  }
  if (std::count(node.begin(), node.end(), ':') == 1) return node.substr(0, node.find(':'));
  return node;
}

// host[:port] with a DNS name, IPv4 or [IPv6]; nothing that could break a
// header or a URL.
bool valid_host(std::string_view host) {
  if (host.empty() || host.size() > 255) return false;
  return std::all_of(host.begin(), host.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == ':' || c == '[' || c == ']' || c == '_';
  });
}

std::optional<std::string> scheme_of(std::string_view proto) {
  std::string p = lower(trim(proto));
  if (p == "http" || p == "https") return p;
  return std::nullopt;
}

// Splits on `delim` outside double quotes.
std::vector<std::string_view> split_outside_quotes(std::string_view s, char delim) {
  std::vector<std::string_view> parts;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && quoted) {
      ++i;
    } else if (s[i] == '"') {
      quoted = !quoted;
    } else if (s[i] == delim && !quoted) {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(s.substr(start));
  return parts;
}

std::string unquote(std::string_view v) {
  v = trim(v);
  if (v.size() < 2 || v.front() != '"' || v.back() != '"') return std::string(v);
  std::string out;
  for (size_t i = 1; i + 1 < v.size(); ++i) {
    if (v[i] == '\\' && i + 2 < v.size()) ++i;
    out += v[i];
  }
  return out;
}

struct Hop {
  std::string for_node, proto, host;
};

// RFC 7239 elements of every Forwarded header line, in order.
std::vector<Hop> forwarded_hops(const Request& req) {
  std::vector<Hop> hops;
  for (const auto& line : req.header_values("Forwarded")) {
    for (auto element : split_outside_quotes(line, ',')) {
      if (trim(element).empty()) continue;
      Hop hop;
      for (auto pair : split_outside_quotes(element, ';')) {
        auto eq = pair.find('=');
        if (eq == std::string_view::npos) continue;
        std::string name = lower(trim(pair.substr(0, eq)));
        std::string value = unquote(pair.substr(eq + 1));
        if (name == "for") hop.for_node = value;
        if (name == "proto") hop.proto = value;
        if (name == "host") hop.host = value;
      }
      hops.push_back(std::move(hop));
    }
  }
  return hops;
}

// Every comma-separated value of a header, over all its lines, trimmed.
std::vector<std::string> list_values(const Request& req, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& line : req.header_values(name)) {
    for (auto v : split_outside_quotes(line, ',')) {
      if (!trim(v).empty()) out.emplace_back(trim(v));
    }
  }
  return out;
}

bool trusted(const AddressSet& set, std::string_view node) {
  return set.contains(strip_port(trim(node)));
}

// From a trusted peer: the client, scheme and host the outermost trusted
// proxy saw. Fields it does not know stay empty.
Hop forwarded_view(const Request& req, const AddressSet& proxies) {
  auto hops = forwarded_hops(req);
  if (!hops.empty()) {
    size_t i = hops.size() - 1;
    while (i > 0 && trusted(proxies, hops[i].for_node)) --i;
    Hop hop = hops[i];
    hop.for_node = std::string(strip_port(trim(hop.for_node)));
    return hop;
  }
  Hop hop;
  auto chain = list_values(req, "X-Forwarded-For");
  if (!chain.empty()) {
    size_t i = chain.size() - 1;
    while (i > 0 && trusted(proxies, chain[i])) --i;
    hop.for_node = std::string(strip_port(chain[i]));
  }
  if (auto protos = list_values(req, "X-Forwarded-Proto"); !protos.empty())
    hop.proto = protos.back();
  if (auto hosts = list_values(req, "X-Forwarded-Host"); !hosts.empty()) hop.host = hosts.back();
  return hop;
}

}  // namespace

AddressSet AddressSet::parse(const std::vector<std::string>& entries) {
  AddressSet set;
  for (const auto& entry : entries) {
    auto fail = [&](const std::string& why) {
      throw std::invalid_argument("'" + entry + "' is not " + why);
    };
    std::string_view text = trim(entry);
    auto slash = text.find('/');
    auto bytes = parse_ip(text.substr(0, slash));
    if (!bytes) fail("an IP address or a CIDR block such as 10.0.0.0/8 or fd00::/8");
    bool v4 = text.substr(0, slash).find(':') == std::string_view::npos;
    Block block{*bytes, 128};
    if (slash != std::string_view::npos) {
      std::string_view p = text.substr(slash + 1);
      unsigned len = 0;
      auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), len);
      if (p.empty() || ec != std::errc() || end != p.data() + p.size() || len > (v4 ? 32u : 128u))
        fail(std::string("a CIDR block: the prefix length must be 0 to ") + (v4 ? "32" : "128"));
      block.prefix = v4 ? 96 + len : len;
    }
    set.blocks_.push_back(block);
  }
  return set;
}

bool AddressSet::contains(std::string_view address) const {
  auto bytes = parse_ip(address);
  if (!bytes) return false;
  for (const Block& block : blocks_) {
    // An IPv4 block matches only IPv4 (mapped) addresses: 0.0.0.0/0 is not ::/0.
    if (block.prefix >= 96 && is_v4_mapped(block.bytes) != is_v4_mapped(*bytes)) continue;
    unsigned full = block.prefix / 8, rest = block.prefix % 8;
    if (!std::equal(block.bytes.begin(), block.bytes.begin() + full, bytes->begin())) continue;
    if (rest) {
      uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
      if ((block.bytes[full] & mask) != ((*bytes)[full] & mask)) continue;
    }
    return true;
  }
  return false;
}

std::string normalize_public_url(std::string_view url) {
  std::string_view rest = url;
  std::string scheme;
  for (const char* s : {"http://", "https://"}) {
    if (lower(rest.substr(0, std::strlen(s))) == s) {
      scheme = s;
      rest.remove_prefix(std::strlen(s));
    }
  }
  if (scheme.empty()) throw std::invalid_argument("it must start with http:// or https://");
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find('/') != std::string_view::npos)
    throw std::invalid_argument(
        "it must not have a path: the registry API lives at /v2/ of its host");
  if (!valid_host(rest))
    throw std::invalid_argument("it must name a host such as registry.example.com:5000");
  return scheme + std::string(rest);
}

ExternalView external_view(const Request& req, const Forwarding& forwarding) {
  ExternalView view{req.client_address(), ""};
  std::string scheme = forwarding.tls ? "https" : "http";
  std::string host = req.header("Host").value_or("");
  if (forwarding.trusted_proxies.contains(req.client_address())) {
    Hop hop = forwarded_view(req, forwarding.trusted_proxies);
    if (parse_ip(hop.for_node)) view.client_address = hop.for_node;
    if (auto s = scheme_of(hop.proto)) scheme = *s;
    if (!hop.host.empty()) host = hop.host;
  }
  if (!forwarding.public_url.empty()) {
    view.origin = forwarding.public_url;
    return view;
  }
  view.origin = scheme + "://" + (valid_host(host) ? host : "localhost");
  return view;
}

}  // namespace ferry::http

// Forwarding headers behind a reverse proxy (daemon/http/forwarded.h): who
// is believed, and what the 401 challenge's realm then says.
#include "daemon/http/forwarded.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "tests/support/in_process.h"

namespace ferry::http {
namespace {

Request from(std::string peer, std::vector<std::pair<std::string, std::string>> headers) {
  Request req("GET", "/v2/");
  req.set_client_address(std::move(peer));
  for (auto& [name, value] : headers) req.add_header(name, value);
  return req;
}

Forwarding behind(std::vector<std::string> proxies, bool tls = false) {
  Forwarding f;
  f.trusted_proxies = AddressSet::parse(proxies);
  f.tls = tls;
  return f;
}

TEST(AddressSet, AddressesAndBlocks) {
  auto set = AddressSet::parse({"10.0.0.1", "192.168.0.0/16", "fd00::/8", "2001:db8::7"});
  EXPECT_TRUE(set.contains("10.0.0.1"));
  EXPECT_FALSE(set.contains("10.0.0.2"));
  EXPECT_TRUE(set.contains("192.168.200.3"));
  EXPECT_FALSE(set.contains("192.169.0.1"));
  EXPECT_TRUE(set.contains("fd12::1"));
  EXPECT_FALSE(set.contains("fe80::1"));
  EXPECT_TRUE(set.contains("2001:db8::7"));
  EXPECT_TRUE(set.contains("::ffff:10.0.0.1")) << "IPv4-mapped matches as IPv4";
  EXPECT_FALSE(set.contains("-"));
  EXPECT_FALSE(set.contains("10.0.0.1x"));
  EXPECT_FALSE(set.contains(""));
  auto odd = AddressSet::parse({"10.0.0.0/9", "0.0.0.0/0"});
  EXPECT_TRUE(odd.contains("1.2.3.4"));
  EXPECT_FALSE(odd.contains("::1")) << "an IPv4 block never matches IPv6";
  auto v4bits = AddressSet::parse({"10.128.0.0/9"});
  EXPECT_TRUE(v4bits.contains("10.200.0.1"));
  EXPECT_FALSE(v4bits.contains("10.100.0.1"));
  EXPECT_TRUE(AddressSet().empty());
}

TEST(AddressSet, RefusesWhatIsNotAnAddress) {
  for (const char* bad : {"10.0.0", "10.0.0.0/33", "fd00::/129", "proxy.local", "10.0.0.0/",
                          "10.0.0.0/x", "10.0.0.0/-1", ""}) {
    EXPECT_THROW(AddressSet::parse({bad}), std::invalid_argument) << bad;
  }
}

TEST(PublicUrl, Normalized) {
  EXPECT_EQ(normalize_public_url("https://registry.example.com/"), "https://registry.example.com");
  EXPECT_EQ(normalize_public_url("http://10.1.2.3:5000"), "http://10.1.2.3:5000");
  EXPECT_EQ(normalize_public_url("https://[fd00::1]:443"), "https://[fd00::1]:443");
  for (const char* bad : {"registry.example.com", "ftp://x", "https://", "https://x/sub",
                          "https://a b", "https://x\"y", "https://x\r\nSet-Cookie: a"}) {
    EXPECT_THROW(normalize_public_url(bad), std::invalid_argument) << bad;
  }
}

TEST(ExternalView, UntrustedPeerHeadersAreIgnored) {
  auto f = behind({"10.0.0.1"});
  auto v = external_view(from("203.0.113.9", {{"Host", "box:5000"},
                                              {"X-Forwarded-Proto", "https"},
                                              {"X-Forwarded-Host", "evil.example"},
                                              {"X-Forwarded-For", "1.1.1.1"},
                                              {"Forwarded", "for=1.1.1.1;proto=https;host=evil"}}),
                         f);
  EXPECT_EQ(v.origin, "http://box:5000");
  EXPECT_EQ(v.client_address, "203.0.113.9");
  // Nobody trusted at all: the same.
  v = external_view(from("10.0.0.1", {{"Host", "box"}, {"X-Forwarded-Proto", "https"}}),
                    Forwarding{});
  EXPECT_EQ(v.origin, "http://box");
}

TEST(ExternalView, TrustedProxyXForwarded) {
  auto f = behind({"10.0.0.0/8"});
  auto v = external_view(from("10.0.0.1", {{"Host", "ferryd:5000"},
                                           {"X-Forwarded-Proto", "https"},
                                           {"X-Forwarded-Host", "registry.example.com"},
                                           {"X-Forwarded-For", "198.51.100.7"}}),
                         f);
  EXPECT_EQ(v.origin, "https://registry.example.com");
  EXPECT_EQ(v.client_address, "198.51.100.7");
  // Proto only: the Host header stays. A forged left part of the chain is skipped
  // back to the first address the trusted proxies did not add.
  v = external_view(from("10.0.0.1", {{"Host", "registry.example.com"},
                                      {"X-Forwarded-Proto", "HTTPS"},
                                      {"X-Forwarded-For", "6.6.6.6, 198.51.100.7, 10.0.0.5"}}),
                    f);
  EXPECT_EQ(v.origin, "https://registry.example.com");
  EXPECT_EQ(v.client_address, "198.51.100.7");
  // Nonsense values are not used.
  v = external_view(from("10.0.0.1", {{"Host", "box"},
                                      {"X-Forwarded-Proto", "gopher"},
                                      {"X-Forwarded-Host", "a\"b"},
                                      {"X-Forwarded-For", "not-an-address"}}),
                    f);
  EXPECT_EQ(v.origin, "http://localhost");
  EXPECT_EQ(v.client_address, "10.0.0.1");
}

TEST(ExternalView, TrustedProxyForwarded) {
  auto f = behind({"10.0.0.1", "10.0.0.2"});
  auto v = external_view(
      from("10.0.0.1",
           {{"Host", "ferryd"},
            {"Forwarded",
             R"(for=6.6.6.6;proto=http;host=forged, for="[2001:db8::1]:4711";)"
             R"(proto=https;host="registry.example.com:8443", for=10.0.0.2;proto=http)"}}),
      f);
  EXPECT_EQ(v.origin, "https://registry.example.com:8443")
      << "the element the outermost trusted proxy added";
  EXPECT_EQ(v.client_address, "2001:db8::1");
  // Forwarded wins over X-Forwarded-*.
  v = external_view(from("10.0.0.1", {{"Host", "h"},
                                      {"Forwarded", "for=192.0.2.60;proto=https"},
                                      {"X-Forwarded-Proto", "http"}}),
                    f);
  EXPECT_EQ(v.origin, "https://h");
  EXPECT_EQ(v.client_address, "192.0.2.60");
}

TEST(ExternalView, PublicUrlWins) {
  auto f = behind({"10.0.0.1"}, /*tls=*/false);
  f.public_url = "https://registry.example.com";
  auto v = external_view(
      from("10.0.0.1", {{"Host", "x"}, {"X-Forwarded-Host", "y"}, {"X-Forwarded-For", "1.2.3.4"}}),
      f);
  EXPECT_EQ(v.origin, "https://registry.example.com");
  EXPECT_EQ(v.client_address, "1.2.3.4") << "the client address still comes from the proxy";
  v = external_view(from("203.0.113.1", {{"Host", "x"}}), f);
  EXPECT_EQ(v.origin, "https://registry.example.com");
}

TEST(ExternalView, OwnTlsAndBadHost) {
  EXPECT_EQ(external_view(from("1.2.3.4", {{"Host", "box:5000"}}), behind({}, true)).origin,
            "https://box:5000");
  EXPECT_EQ(external_view(from("1.2.3.4", {{"Host", "a\"b"}}), behind({})).origin,
            "http://localhost");
  EXPECT_EQ(external_view(from("1.2.3.4", {}), behind({})).origin, "http://localhost");
}

// The realm of a real 401 through the gate (the in-process peer is 192.0.2.1).
TEST(ExternalView, ChallengeRealm) {
  using namespace ferry::testing;
  RegistryOptions trusted;
  trusted.gate = true;
  trusted.forwarding = behind({"192.0.2.0/24"});
  InProcess proxied(trusted);
  proxied.add_user("root", "correct horse");
  proxied.grant("root", "*", "admin");
  Reply r = proxied.get("/v2/", {{"Host", "box:5000"}, {"X-Forwarded-Proto", "https"}});
  ASSERT_EQ(r.status, 401u) << r.body;
  EXPECT_EQ(r.header("WWW-Authenticate"),
            "Bearer realm=\"https://box:5000/ferry/v1/token\",service=\"ferry\"");

  RegistryOptions untrusted = trusted;
  untrusted.forwarding = behind({"10.0.0.1"});
  InProcess direct(untrusted);
  direct.add_user("root", "correct horse");
  direct.grant("root", "*", "admin");
  r = direct.get("/v2/", {{"Host", "box:5000"}, {"X-Forwarded-Proto", "https"}});
  EXPECT_EQ(r.header("WWW-Authenticate"),
            "Bearer realm=\"http://box:5000/ferry/v1/token\",service=\"ferry\"");

  untrusted.forwarding.public_url = "https://reg.example.com";
  InProcess fixed(untrusted);
  fixed.add_user("root", "correct horse");
  fixed.grant("root", "*", "admin");
  r = fixed.get("/v2/", {{"Host", "box:5000"}});
  EXPECT_EQ(r.header("WWW-Authenticate"),
            "Bearer realm=\"https://reg.example.com/ferry/v1/token\",service=\"ferry\"");
}

}  // namespace
}  // namespace ferry::http

// --listen values and the loopback rule (runtime/listen.h): what ferryd
// accepts, what it refuses and what it tells the user to write instead.
#include "runtime/listen.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <stdexcept>
#include <string>

namespace ferry {
namespace {

using Kind = ListenAddress::Kind;

// The message parse_listen refuses `value` with ("" when it accepts it).
std::string refusal(const std::string& value) {
  try {
    parse_listen(value);
    return "";
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
}

std::string refusal_of_all(const std::vector<std::string>& values) {
  try {
    parse_listens(values);
    return "";
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
}

TEST(ListenParse, IPv4) {
  EXPECT_EQ(parse_listen("127.0.0.1:5000"), (ListenAddress{Kind::kIPv4, "127.0.0.1", 5000}));
  EXPECT_EQ(parse_listen("0.0.0.0:80").text(), "0.0.0.0:80");
  EXPECT_EQ(parse_listen(":5000"), (ListenAddress{Kind::kIPv4, "0.0.0.0", 5000}))
      << "an empty host stays every IPv4 interface, as before";
  EXPECT_EQ(parse_listen("127.0.0.1:0").port, 0) << "port 0: any free port";
}

TEST(ListenParse, IPv6InBrackets) {
  EXPECT_EQ(parse_listen("[::1]:5000"), (ListenAddress{Kind::kIPv6, "::1", 5000}));
  EXPECT_EQ(parse_listen("[::]:5000").text(), "[::]:5000");
  EXPECT_EQ(parse_listen("[0:0:0:0:0:0:0:1]:5000").host, "::1") << "normalised";
  EXPECT_EQ(parse_listen("[FD00::A]:443").text(), "[fd00::a]:443");
}

TEST(ListenParse, HostNames) {
  EXPECT_EQ(parse_listen("localhost:5000"), (ListenAddress{Kind::kName, "localhost", 5000}));
  EXPECT_EQ(parse_listen("registry.edge-1.example:5000").kind, Kind::kName);
  EXPECT_NE(refusal("bad_host:5000"), "");
  EXPECT_NE(refusal("-edge:5000"), "");
  EXPECT_NE(refusal("a..b:5000"), "");
  EXPECT_NE(refusal(std::string(64, 'a') + ":5000"), "") << "a label is at most 63 characters";
}

TEST(ListenParse, MissingBracketsSayWhatToWrite) {
  EXPECT_NE(refusal("::1:5000").find("write [::1]:5000"), std::string::npos) << refusal("::1:5000");
  EXPECT_NE(refusal("fd00::1:8080").find("write [fd00::1]:8080"), std::string::npos);
  EXPECT_NE(refusal("::").find("write [::]:5000"), std::string::npos) << refusal("::");
  EXPECT_NE(refusal("[::1").find("closing ']'"), std::string::npos);
  EXPECT_NE(refusal("[::1]5000").find("write [::1]:5000"), std::string::npos);
  EXPECT_NE(refusal("[127.0.0.1]:5000").find("write 127.0.0.1:5000"), std::string::npos)
      << "brackets are for IPv6";
  EXPECT_NE(refusal("[nonsense]:5000").find("not an IPv6 address"), std::string::npos);
}

TEST(ListenParse, MissingOrBadPorts) {
  EXPECT_NE(refusal("127.0.0.1").find("has no port; write 127.0.0.1:5000"), std::string::npos);
  EXPECT_NE(refusal("[::1]").find("write [::1]:5000"), std::string::npos);
  EXPECT_NE(refusal("localhost").find("write localhost:5000"), std::string::npos);
  EXPECT_NE(refusal("5000").find("write 127.0.0.1:5000"), std::string::npos) << refusal("5000");
  for (const char* bad : {"127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:", "[::1]:http",
                          "localhost:5000x", "127.0.0.1:99999999999"}) {
    EXPECT_NE(refusal(bad).find("not a number from 0 to 65535"), std::string::npos) << bad;
  }
}

TEST(ListenParse, OtherMistakes) {
  EXPECT_NE(refusal("").find("is empty"), std::string::npos);
  EXPECT_NE(refusal("http://127.0.0.1:5000").find("write only HOST:PORT, e.g. 127.0.0.1:5000"),
            std::string::npos);
  EXPECT_NE(refusal("127.0.0.256:5000").find("not an IPv4 address"), std::string::npos);
  EXPECT_NE(refusal("1.2.3:5000").find("not an IPv4 address"), std::string::npos);
}

TEST(ListenParse, Duplicates) {
  EXPECT_EQ(refusal_of_all({"127.0.0.1:5000", "[::1]:5000", "localhost:5001"}), "");
  EXPECT_NE(refusal_of_all({"[::1]:5000", "[0::1]:5000"}).find("given twice"), std::string::npos);
  EXPECT_NE(refusal_of_all({}).find("no listen address"), std::string::npos);
  std::vector<std::string> many;
  for (int port = 5000; port < 5000 + static_cast<int>(kMaxListenValues) + 1; ++port) {
    many.push_back("127.0.0.1:" + std::to_string(port));
  }
  EXPECT_NE(refusal_of_all(many).find("too many listen addresses"), std::string::npos);
  many.pop_back();
  EXPECT_EQ(refusal_of_all(many), "") << kMaxListenValues << " are fine";
}

TEST(ListenParse, SeveralInOneValueOrBlanks) {
  EXPECT_NE(refusal("127.0.0.1:5000,[::1]:5000").find("repeat --listen"), std::string::npos);
  EXPECT_NE(refusal("127.0.0.1:5000 [::1]:5000").find("listen = ["), std::string::npos);
  EXPECT_NE(refusal(" 127.0.0.1:5000 ").find("has blanks around it; write 127.0.0.1:5000"),
            std::string::npos);
  EXPECT_NE(refusal("127.0.0.1: 5000").find("without blanks"), std::string::npos);
}

TEST(ListenParse, BracketsThatHoldNoUsableAddress) {
  EXPECT_NE(refusal("[]:5000").find("nothing in its brackets"), std::string::npos);
  EXPECT_NE(refusal("[::1%lo]:5000").find("only a link-local address"), std::string::npos);
  EXPECT_NE(refusal("[fe80::1%nosuch0]:5000").find("interface 'nosuch0', which this host does not"),
            std::string::npos);
  EXPECT_NE(refusal("[zz]:5000").find("not an IPv6 address; write e.g. [::1]:5000"),
            std::string::npos);
}

TEST(ListenParse, LinkLocalNeedsItsInterface) {
  EXPECT_NE(refusal("[fe80::1]:5000").find("write e.g. [fe80::1%eth0]:5000"), std::string::npos);
  EXPECT_EQ(refusal("[fe80::1%lo]:5000"), "");
  EXPECT_EQ(parse_listen("[fe80::1%lo]:5000").host, "fe80::1%lo");
}

// The message resolve_listens refuses `values` with ("" when it accepts them).
std::string overlap_of(const std::vector<std::string>& values) {
  try {
    resolve_listens(parse_listens(values));
    return "";
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
}

TEST(ListenResolve, AddressesThatOverlap) {
  EXPECT_NE(overlap_of({"0.0.0.0:5000", "[::]:5000"}).find("give only [::]:5000"),
            std::string::npos)
      << "[::] takes IPv4 too";
  EXPECT_NE(overlap_of({"127.0.0.1:5000", "[::]:5000"}).find("[::]:5000 already takes 127.0.0.1"),
            std::string::npos);
  EXPECT_NE(overlap_of({"[::]:5000", "[::1]:5000"}).find("give only [::]:5000"), std::string::npos);
  EXPECT_NE(overlap_of({"0.0.0.0:5000", "127.0.0.1:5000"}).find("give only 0.0.0.0:5000"),
            std::string::npos);
  EXPECT_NE(overlap_of({"127.0.0.1:5000", "localhost:5000"}).find("both name 127.0.0.1:5000"),
            std::string::npos);
  EXPECT_NE(overlap_of({"127.0.0.1:5000", "[::ffff:127.0.0.1]:5000"}).find("both name"),
            std::string::npos)
      << "an IPv4-mapped address is the IPv4 one";
  EXPECT_EQ(overlap_of({"0.0.0.0:5000", "[::1]:5000"}), "") << "0.0.0.0 takes no IPv6";
  EXPECT_EQ(overlap_of({"0.0.0.0:5000", "[::]:5001"}), "") << "other ports do not clash";
  EXPECT_EQ(overlap_of({"0.0.0.0:0", "127.0.0.1:0"}), "") << "port 0: each its own port";
}

TEST(ListenResolve, NumericAndNames) {
  auto v6 = resolve_listen(parse_listen("[::1]:5000"));
  ASSERT_EQ(v6.size(), 1u);
  EXPECT_EQ(v6[0].text, "[::1]:5000");
  EXPECT_EQ(v6[0].address.ss_family, AF_INET6);
  auto names = resolve_listen(parse_listen("localhost:5000"));
  ASSERT_FALSE(names.empty());
  for (const auto& a : names) {
    EXPECT_TRUE(a.text == "127.0.0.1:5000" || a.text == "[::1]:5000") << a.text;
  }
  EXPECT_THROW(resolve_listen(parse_listen("no-such-host.invalid:5000")), std::runtime_error);
}

sockaddr_in6 v6(const char* text) {
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  EXPECT_EQ(inet_pton(AF_INET6, text, &a.sin6_addr), 1) << text;
  return a;
}

sockaddr_in v4(const char* text) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  EXPECT_EQ(inet_pton(AF_INET, text, &a.sin_addr), 1) << text;
  return a;
}

TEST(Loopback, PerAddress) {
  auto yes = [](const auto& a) { return is_loopback(reinterpret_cast<const sockaddr&>(a)); };
  EXPECT_TRUE(yes(v4("127.0.0.1")));
  EXPECT_TRUE(yes(v4("127.255.0.9")));
  EXPECT_FALSE(yes(v4("0.0.0.0")));
  EXPECT_FALSE(yes(v4("10.0.0.1")));
  EXPECT_FALSE(yes(v4("128.0.0.1")));
  EXPECT_TRUE(yes(v6("::1")));
  EXPECT_TRUE(yes(v6("::ffff:127.0.0.1"))) << "IPv4-mapped loopback";
  EXPECT_FALSE(yes(v6("::"))) << "every interface";
  EXPECT_FALSE(yes(v6("::ffff:0.0.0.0")));
  EXPECT_FALSE(yes(v6("::ffff:10.1.2.3")));
  EXPECT_FALSE(yes(v6("fe80::1")));
  EXPECT_FALSE(yes(v6("2001:db8::1")));
  EXPECT_FALSE(yes(v6("::2")));
  sockaddr other{};
  other.sa_family = AF_UNIX;
  EXPECT_FALSE(is_loopback(other)) << "a Unix socket from systemd is not loopback";
}

TEST(Loopback, HostNamesAsClientsWriteThem) {
  for (const char* host :
       {"localhost", "LocalHost", "127.0.0.1", "127.1.2.3", "[::1]", "::1", "[::ffff:127.0.0.1]"}) {
    EXPECT_TRUE(is_loopback_host(host)) << host;
  }
  for (const char* host : {"", "[::]", "0.0.0.0", "10.0.0.1", "[fd00::1]", "evil.example",
                           "localhost.evil.example", "127.0.0.1.evil.example", "[::1"}) {
    EXPECT_FALSE(is_loopback_host(host)) << host;
  }
}

TEST(Loopback, ListeningBeyondIt) {
  EXPECT_FALSE(listens_beyond_loopback({"127.0.0.1:5000"}));
  EXPECT_FALSE(listens_beyond_loopback({"[::1]:5000", "127.0.0.2:5000"}));
  EXPECT_FALSE(listens_beyond_loopback({"localhost:5000"})) << "every address of localhost";
  EXPECT_TRUE(listens_beyond_loopback({"[::]:5000"}));
  EXPECT_TRUE(listens_beyond_loopback({":5000"}));
  EXPECT_TRUE(listens_beyond_loopback({"[::1]:5000", "0.0.0.0:5001"})) << "any one is enough";
  EXPECT_TRUE(listens_beyond_loopback({"[::ffff:0.0.0.0]:5000"}));
  EXPECT_TRUE(listens_beyond_loopback({"no-such-host.invalid:5000"}))
      << "a name that does not resolve cannot be called loopback";
  EXPECT_TRUE(listens_beyond_loopback({"::1:5000"})) << "unparsable: not loopback";
}

}  // namespace
}  // namespace ferry

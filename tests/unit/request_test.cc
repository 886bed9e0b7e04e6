// http::Request as a value: what handlers read of a request.
#include "daemon/http/request.h"

#include <gtest/gtest.h>

#include "tests/support/in_process.h"

namespace ferry::http {
namespace {

TEST(Request, HeaderNamesCompareWithoutCaseAndKeepEveryValue) {
  Request r("GET", "/v2/");
  r.add_header("Accept", "a/b").add_header("accept", "c/d").add_header("Host", "box");
  EXPECT_EQ(r.header("ACCEPT"), "a/b");
  EXPECT_EQ(r.header_values("Accept"), (std::vector<std::string>{"a/b", "c/d"}));
  EXPECT_FALSE(r.header("Range"));
  EXPECT_TRUE(r.header_values("Range").empty());
}

TEST(Request, QueryValuesRepeatAndMayBeAbsent) {
  Request r("GET", "/ferry/v1/token");
  r.add_query("scope", "a").add_query("scope", "b").add_query("mount", std::nullopt);
  EXPECT_EQ(r.query("scope"), "a");
  EXPECT_EQ(r.query_values("scope"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(r.has_query("mount"));
  EXPECT_FALSE(r.query("mount")) << "present without a value";
  EXPECT_FALSE(r.has_query("digest"));
  EXPECT_EQ(r.query("SCOPE"), "a") << "looked up without case, as libmicrohttpd does";
  EXPECT_TRUE(r.query_values("SCOPE").empty());
}

TEST(Request, ContentLengthOnlyWhenItIsANumber) {
  EXPECT_FALSE(Request("PUT", "/").content_length());
  EXPECT_EQ(Request("PUT", "/").add_header("Content-Length", "42").content_length(), 42u);
  EXPECT_FALSE(Request("PUT", "/").add_header("Content-Length", "4x").content_length());
}

TEST(Request, DefaultsAndFlags) {
  Request r("HEAD", "/v2/a/blobs/x");
  EXPECT_TRUE(r.is_head());
  EXPECT_FALSE(r.has_nul());
  EXPECT_EQ(r.client_address(), "-");
  r.set_nul(true).set_client_address("10.0.0.7");
  EXPECT_TRUE(r.has_nul());
  EXPECT_EQ(r.client_address(), "10.0.0.7");
}

// The test driver decodes a target as libmicrohttpd does.
TEST(Request, TestTargetsAreDecodedAsTheServerDecodesThem) {
  Request r = testing::make_request("GET", "/files/a%20b?x=1+2&y=%2F&flag");
  EXPECT_EQ(r.path(), "/files/a b");
  EXPECT_EQ(r.query("x"), "1 2");
  EXPECT_EQ(r.query("y"), "/");
  EXPECT_TRUE(r.has_query("flag"));
  EXPECT_FALSE(r.has_nul());
  Request nul = testing::make_request("GET", "/v2/a/manifests/v1%00.evil");
  EXPECT_EQ(nul.path(), "/v2/a/manifests/v1");
  EXPECT_TRUE(nul.has_nul());
}

}  // namespace
}  // namespace ferry::http

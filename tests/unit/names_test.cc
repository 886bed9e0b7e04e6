#include "core/names.h"

#include <gtest/gtest.h>

namespace ferry {
namespace {

TEST(RepositoryName, AcceptsTheSpecGrammar) {
  for (const char* ok : {"a", "library/alpine", "a.b_c__d---e/f0", "x/y/z/w", "0"}) {
    EXPECT_TRUE(is_valid_repository_name(ok)) << ok;
  }
}

TEST(RepositoryName, RefusesPathTricksAndBadSeparators) {
  for (const char* bad : {"", "/a", "a/", "a//b", "..", "a/../b", "./a", "A", "a b", "a___b",
                          "a.-b", "-a", "a-", "a\\b", "a%2fb", "a:b"}) {
    EXPECT_FALSE(is_valid_repository_name(bad)) << bad;
  }
  EXPECT_FALSE(is_valid_repository_name(std::string(256, 'a')));
  EXPECT_TRUE(is_valid_repository_name(std::string(255, 'a')));
}

TEST(Tag, FollowsTheSpecGrammar) {
  for (const char* ok : {"latest", "v1.2.3", "_x", "A-b_c.d", "0"})
    EXPECT_TRUE(is_valid_tag(ok)) << ok;
  for (const char* bad : {"", ".x", "-x", "a/b", "a:b", "a b", "sha256:abc"}) {
    EXPECT_FALSE(is_valid_tag(bad)) << bad;
  }
  EXPECT_TRUE(is_valid_tag(std::string(128, 'a')));
  EXPECT_FALSE(is_valid_tag(std::string(129, 'a')));
}

TEST(UpstreamNamespace, KeepsTheHostAsOneNameComponent) {
  struct Case {
    const char* host;
    const char* want;
  } cases[] = {
      {"docker.io", "docker.io"},
      {"quay.io", "quay.io"},
      {"registry.k8s.io", "registry.k8s.io"},
      {"Registry.Local:5000", "registry.local_5000"},
      {"127.0.0.1:5000", "127.0.0.1_5000"},
      {"localhost", "localhost"},
      {"my-registry.example", "my-registry.example"},
  };
  for (const auto& c : cases) {
    auto got = upstream_namespace(c.host);
    ASSERT_TRUE(got) << c.host;
    EXPECT_EQ(*got, c.want) << c.host;
    EXPECT_TRUE(is_valid_repository_name(*got)) << c.host;
  }
}

TEST(UpstreamNamespace, RefusesWhatIsNoHost) {
  for (const char* bad : {"", ".", "a..b", "-a.io", "a-.io", "a_b.io", "[::1]:5000",
                          "a.io:", "a.io:x", "a.io:123456", "a/b", "a b", "a.io:5000:1"}) {
    EXPECT_FALSE(upstream_namespace(bad)) << bad;
  }
}

}  // namespace
}  // namespace ferry

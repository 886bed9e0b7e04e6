#include "access/bearer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/support/temp_dir.h"

namespace ferry::access {
namespace {

TEST(Bearer, SignedTokensVerifyUntilTheyExpire) {
  testing::TempDir dir;
  auto keys = BearerKeys::load_or_create(dir.path() + "/token.key");
  struct stat st {};
  ASSERT_EQ(stat((dir.path() + "/token.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  BearerClaims c{"dev", 100, 400, {{"team/app", {"pull", "push"}}}};
  std::string token = keys.issue(c);
  auto back = keys.verify(token, 399);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->user, "dev");
  EXPECT_TRUE(back->allows("team/app", "push"));
  EXPECT_FALSE(back->allows("team/app", "delete"));
  EXPECT_FALSE(back->allows("team/other", "pull"));
  EXPECT_FALSE(keys.verify(token, 400)) << "expired";

  // The same key after a restart; another key never.
  EXPECT_TRUE(BearerKeys::load_or_create(dir.path() + "/token.key").verify(token, 200));
  EXPECT_FALSE(BearerKeys::load_or_create(dir.path() + "/other.key").verify(token, 200));
}

TEST(Bearer, TamperedOrMalformedTokensAreRefused) {
  testing::TempDir dir;
  auto keys = BearerKeys::load_or_create(dir.path() + "/token.key");
  std::string token = keys.issue({"dev", 100, 400, {{"team/app", {"pull"}}}});
  std::string forged = token;
  forged[3] = forged[3] == 'A' ? 'B' : 'A';  // in the claims
  EXPECT_FALSE(keys.verify(forged, 200));
  EXPECT_FALSE(keys.verify(token.substr(0, token.find('.')), 200));
  EXPECT_FALSE(keys.verify("", 200));
  EXPECT_FALSE(keys.verify("a.b", 200));
}

TEST(Bearer, ScopesParse) {
  auto g = parse_scope("repository:team/app:pull,push");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->repository, "team/app");
  EXPECT_EQ(g->actions, (std::set<std::string>{"pull", "push"}));
  EXPECT_FALSE(parse_scope("registry:catalog:*"));
  EXPECT_FALSE(parse_scope("repository:team/app"));
  EXPECT_FALSE(parse_scope("repository::pull"));
}

}  // namespace
}  // namespace ferry::access

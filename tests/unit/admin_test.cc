// access::Admin on the data dir: Accounts is the implementation ferryctl
// and ferryd's admin API both call (access/admin.h).
#include "access/admin.h"

#include <gtest/gtest.h>

#include <ctime>

#include "access/accounts.h"
#include "core/sql_pool.h"
#include "tests/support/temp_dir.h"

namespace ferry::access {
namespace {

class AdminTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
  sql::Pool pool_{dir_.path() + "/ferry.db"};
  Accounts accounts_{pool_};
  Admin& admin_ = accounts_;

  void SetUp() override { admin_.add_user("ci", "long enough"); }
};

TEST_F(AdminTest, TokenLifetimeCountsFromNow) {
  const auto before = static_cast<int64_t>(std::time(nullptr));
  NewToken t = admin_.create_token({"ci", std::chrono::hours(1), "pipeline"});
  const auto after = static_cast<int64_t>(std::time(nullptr));
  ASSERT_TRUE(t.expires_at);
  EXPECT_GE(*t.expires_at, before + 3600);
  EXPECT_LE(*t.expires_at, after + 3600);
  NewToken forever = admin_.create_token({"ci", std::nullopt, ""});
  EXPECT_FALSE(forever.expires_at);
  auto rows = admin_.tokens();
  ASSERT_EQ(rows.size(), 2u);
}

TEST_F(AdminTest, RevokedTokensStopAtOnce) {
  NewToken t = admin_.create_token({"ci", std::nullopt, ""});
  const auto now = static_cast<int64_t>(std::time(nullptr));
  ASSERT_TRUE(accounts_.check_token(t.secret, now));
  admin_.revoke_token(t.id);
  EXPECT_FALSE(accounts_.check_token(t.secret, now + 1));
  EXPECT_THROW(admin_.revoke_token(t.id), Error);
}

TEST_F(AdminTest, UnknownUserIsRefusedAsUnknown) {
  try {
    admin_.create_token({"nobody", std::nullopt, ""});
    FAIL() << "no access error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code_in<AccessErrorKind>(), AccessErrorKind::kUnknown);
  }
}

}  // namespace
}  // namespace ferry::access

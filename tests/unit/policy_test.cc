#include "access/policy.h"

#include <gtest/gtest.h>

#include "core/metadata.h"
#include "tests/support/temp_dir.h"

namespace ferry::access {
namespace {

class PolicyTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
  Metadata meta_{dir_.path() + "/ferry.db"};
  Accounts accounts_{meta_.db()};

  void SetUp() override {
    meta_.migrate();
    for (const char* u : {"reader", "writer", "maint", "admin", "nobody"}) {
      accounts_.add_user(u, "long enough");
    }
    accounts_.grant("reader", "team", Role::kReader);
    accounts_.grant("writer", "team", Role::kWriter);
    accounts_.grant("maint", "team", Role::kMaintainer);
    accounts_.grant("admin", "*", Role::kAdmin);
    accounts_.change_namespace("public", {true, std::nullopt, std::nullopt});
    accounts_.change_namespace(
        "team", {false, std::optional<uint64_t>(1000), std::vector<std::string>{"v*", "latest"}});
  }
  bool allowed(const std::optional<std::string>& user, Action action, const char* repo) {
    return Policy::load(meta_.db(), false).decide(user, action, repo).allowed;
  }
};

TEST_F(PolicyTest, RolesAreOrderedAndScopedToTheirNamespace) {
  EXPECT_TRUE(allowed("reader", Action::kPull, "team/app"));
  EXPECT_FALSE(allowed("reader", Action::kPush, "team/app"));
  EXPECT_TRUE(allowed("writer", Action::kPush, "team/app"));
  EXPECT_TRUE(allowed("writer", Action::kPull, "team/sub/app"));
  EXPECT_FALSE(allowed("writer", Action::kDelete, "team/app"));
  EXPECT_FALSE(allowed("writer", Action::kRetag, "team/app"));
  EXPECT_TRUE(allowed("maint", Action::kDelete, "team/app"));
  EXPECT_TRUE(allowed("maint", Action::kRetag, "team/app"));
  EXPECT_FALSE(allowed("maint", Action::kPull, "other/app")) << "a role is per namespace";
  EXPECT_FALSE(allowed("nobody", Action::kPull, "team/app"));
  EXPECT_TRUE(allowed("admin", Action::kDelete, "anything/at/all")) << "* covers every namespace";
  EXPECT_FALSE(allowed("teamapp", Action::kPull, "team/app")) << "unknown users have no roles";
}

TEST_F(PolicyTest, AnonymousCallersPullOnlyWhereAllowedAndAreAskedToLogIn) {
  auto p = Policy::load(meta_.db(), false);
  EXPECT_TRUE(p.decide(std::nullopt, Action::kPull, "public/app").allowed);
  auto push = p.decide(std::nullopt, Action::kPush, "public/app");
  EXPECT_FALSE(push.allowed);
  EXPECT_TRUE(push.need_login);
  auto pull = p.decide(std::nullopt, Action::kPull, "team/app");
  EXPECT_FALSE(pull.allowed);
  EXPECT_TRUE(pull.need_login);
  auto refused = p.decide("reader", Action::kPush, "team/app");
  EXPECT_FALSE(refused.need_login);
  EXPECT_EQ(refused.reason,
            "user 'reader' may not push to 'team/app': that needs the writer role in namespace "
            "'team', and they are reader");
}

TEST_F(PolicyTest, OpenModeAllowsEverythingButImmutableTagsStillHold) {
  auto p = Policy::load(meta_.db(), true);
  EXPECT_TRUE(p.decide(std::nullopt, Action::kDelete, "team/app").allowed);
  EXPECT_TRUE(p.immutable("team/app", "v1.2"));
  EXPECT_TRUE(p.immutable("team/app", "latest"));
  EXPECT_FALSE(p.immutable("team/app", "dev"));
  EXPECT_FALSE(p.immutable("public/app", "v1"));
  EXPECT_EQ(p.quota("team/app"), std::optional<uint64_t>(1000));
  EXPECT_FALSE(p.quota("public/app"));
  EXPECT_TRUE(p.has_users());
}

TEST_F(PolicyTest, NamespaceOfIsTheFirstPathComponent) {
  EXPECT_EQ(Policy::namespace_of("team/app"), "team");
  EXPECT_EQ(Policy::namespace_of("team/a/b"), "team");
  EXPECT_EQ(Policy::namespace_of("alpine"), "alpine");
}

}  // namespace
}  // namespace ferry::access

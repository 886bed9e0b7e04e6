#include "access/policy.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/sql_pool.h"
#include "tests/support/temp_dir.h"

namespace ferry::access {
namespace {

class PolicyTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
  sql::Pool pool_{dir_.path() + "/ferry.db"};
  Accounts accounts_{pool_};

  void SetUp() override {
    for (const char* u : {"reader", "writer", "maint", "admin", "nobody"}) {
      accounts_.add_user(u, "long enough");
    }
    accounts_.grant("reader", "team", Role::kReader);
    accounts_.grant("writer", "team", Role::kWriter);
    accounts_.grant("maint", "team", Role::kMaintainer);
    accounts_.grant("admin", "*", Role::kAdmin);
    NamespaceChange pub;
    pub.set.anonymous_pull = true;
    accounts_.change_namespace("public", pub);
    NamespaceChange team;
    team.set.anonymous_pull = false;
    team.set.quota = Quota(1000);
    team.set.immutable = std::vector<std::string>{"v*", "latest"};
    accounts_.change_namespace("team", team);
  }
  bool allowed(const std::optional<std::string>& user, Action action, const char* repo) {
    return Policy::load(accounts_, false).decide(user, action, repo).allowed;
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
  accounts_.grant("maint", "lab", Role::kAdmin);
  Policy p = Policy::load(accounts_, false);
  EXPECT_EQ(p.administered_by("maint"), std::vector<std::string>{"lab"});
  EXPECT_EQ(p.administered_by("admin"), std::vector<std::string>{"*"});
  EXPECT_TRUE(p.administered_by("writer").empty());
  EXPECT_FALSE(p.is_admin("maint"));
  EXPECT_FALSE(allowed("teamapp", Action::kPull, "team/app")) << "unknown users have no roles";
}

TEST_F(PolicyTest, AnonymousCallersPullOnlyWhereAllowedAndAreAskedToLogIn) {
  auto p = Policy::load(accounts_, false);
  EXPECT_TRUE(p.decide(std::nullopt, Action::kPull, "public/app").allowed);
  EXPECT_TRUE(p.decide("nobody", Action::kPull, "public/app").allowed)
      << "a user without a role there may pull what anyone may";
  EXPECT_FALSE(p.decide("nobody", Action::kPush, "public/app").allowed);
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
  auto p = Policy::load(accounts_, true);
  EXPECT_TRUE(p.decide(std::nullopt, Action::kDelete, "team/app").allowed);
  EXPECT_TRUE(p.immutable("team/app", "v1.2"));
  EXPECT_TRUE(p.immutable("team/app", "latest"));
  EXPECT_FALSE(p.immutable("team/app", "dev"));
  EXPECT_FALSE(p.immutable("public/app", "v1"));
  EXPECT_EQ(p.quota("team/app"), std::optional<uint64_t>(1000));
  EXPECT_FALSE(p.quota("public/app"));
  EXPECT_TRUE(p.has_users());
}

TEST_F(PolicyTest, NamespaceIsTheFirstPathComponentOrTheLongestConfiguredPrefix) {
  Policy p = Policy::load(accounts_, false);
  EXPECT_EQ(p.namespace_of("team/app"), "team");
  EXPECT_EQ(p.namespace_of("team/a/b"), "team");
  EXPECT_EQ(p.namespace_of("alpine"), "alpine");

  NamespaceChange small;
  small.set.quota = Quota(5);
  accounts_.change_namespace("site/line1", small);
  accounts_.grant("writer", "site/line1/cell7", Role::kWriter);
  p = Policy::load(accounts_, false);
  EXPECT_EQ(p.namespace_of("site/line1/app"), "site/line1");
  EXPECT_EQ(p.namespace_of("site/line1"), "site/line1");
  EXPECT_EQ(p.namespace_of("site/line1/cell7/app"), "site/line1/cell7");
  EXPECT_EQ(p.namespace_of("site/line10/app"), "site");  // a prefix of components, not of text
  EXPECT_EQ(p.namespace_of("site/other"), "site");
  EXPECT_EQ(p.quota("site/line1/app"), std::optional<uint64_t>(5));
  EXPECT_FALSE(p.quota("site/line1/cell7/app"));  // not site/line1's: it follows '*'s
  EXPECT_TRUE(p.decide("writer", Action::kPush, "site/line1/cell7/app").allowed);
  EXPECT_FALSE(p.decide("writer", Action::kPush, "site/line1/app").allowed);
  EXPECT_EQ(p.prefixes(), (std::vector<std::string>{"site/line1", "site/line1/cell7"}));
  accounts_.remove_namespace("site/line1");
  p = Policy::load(accounts_, false);
  EXPECT_EQ(p.namespace_of("site/line1/app"), "site") << "no settings, no grants: not a prefix";
  EXPECT_EQ(p.namespace_of("site/line1/cell7/app"), "site/line1/cell7") << "its grant stays";

  EXPECT_THROW(accounts_.change_namespace("site//x", NamespaceChange()), Error);
  EXPECT_THROW(accounts_.change_namespace("Site/x", NamespaceChange()), Error);
  EXPECT_THROW(accounts_.grant("writer", "a/b/c/d/e/f/g/h/i", Role::kReader), Error);
}

// Listings jump from a hidden repository to namespace_end(): nothing between
// may be in another namespace, or a visible repository would be skipped.
TEST_F(PolicyTest, NamespaceEndNeverSkipsAnotherNamespace) {
  NamespaceChange small;
  small.set.quota = Quota(5);
  accounts_.change_namespace("site/line1", small);
  accounts_.change_namespace("site/line1/cell7", small);
  accounts_.change_namespace("site/b0", small);
  Policy p = Policy::load(accounts_, false);
  std::vector<std::string> names = {"a",
                                    "site",
                                    "site-x",
                                    "site.a",
                                    "site/a",
                                    "site/a-b",
                                    "site/b",
                                    "site/b0",
                                    "site/b0/x",
                                    "site/b0-x",
                                    "site/line0z",
                                    "site/line1",
                                    "site/line1-x",
                                    "site/line1.y",
                                    "site/line1/a",
                                    "site/line1/cell7",
                                    "site/line1/cell7/app",
                                    "site/line1/cell70/app",
                                    "site/line10/app",
                                    "site/line1_z",
                                    "site/z",
                                    "site/zz/top",
                                    "site0",
                                    "site_x",
                                    "sitea",
                                    "team",
                                    "team/app",
                                    "team/app/x",
                                    "team0",
                                    "zzz"};
  std::sort(names.begin(), names.end());
  for (const auto& r : names) {
    std::string end = p.namespace_end(r);
    EXPECT_GE(end, r);
    for (const auto& other : names) {
      if (other > r && other <= end) {
        EXPECT_EQ(p.namespace_of(other), p.namespace_of(r))
            << "from " << r << " the jump to " << end << " would skip " << other;
      }
    }
  }
  EXPECT_GT(p.namespace_end("team/app"), "team/app/x") << "the rest of team/ is skipped";
  EXPECT_GT(p.namespace_end("site/a"), "site/b") << "up to the next sub-namespace";
  EXPECT_LT(p.namespace_end("site/a"), "site/b0");
  EXPECT_GT(p.namespace_end("site/line10/app"), "site/zz/top");
}

TEST_F(PolicyTest, ImportsNeedTheNamespacesPermissionOnceUsersExist) {
  Policy p = Policy::load(accounts_, false);
  auto refused = p.may_import("team/app");
  EXPECT_FALSE(refused.allowed);
  EXPECT_NE(refused.reason.find("ferryctl namespace set team --import on"), std::string::npos);
  NamespaceChange imports;
  imports.set.import_allowed = true;
  accounts_.change_namespace("team", imports);
  p = Policy::load(accounts_, false);
  EXPECT_TRUE(p.may_import("team/app").allowed);
  EXPECT_FALSE(p.may_import("public/app").allowed);
  accounts_.change_namespace("*", imports);
  p = Policy::load(accounts_, false);
  EXPECT_TRUE(p.may_import("other/app").allowed);   // "*" covers namespaces without settings
  EXPECT_TRUE(p.may_import("public/app").allowed);  // and those with settings but no import rule
  NamespaceChange no_imports;
  no_imports.set.import_allowed = false;
  accounts_.change_namespace("public", no_imports);
  p = Policy::load(accounts_, false);
  EXPECT_FALSE(p.may_import("public/app").allowed);  // its own "off" wins over "*"
  EXPECT_TRUE(Policy::load(accounts_, true).may_import("public/app").allowed);  // auth.open
}

TEST_F(PolicyTest, EachSettingANamespaceLeavesUnsetFollowsStar) {
  NamespaceChange defaults;
  defaults.set.anonymous_pull = true;
  defaults.set.quota = Quota(100);
  defaults.set.immutable = std::vector<std::string>{"release-*"};
  accounts_.change_namespace("*", defaults);
  NamespaceChange quota_only;
  quota_only.set.quota = Quota(7);
  accounts_.change_namespace("lab", quota_only);
  Policy p = Policy::load(accounts_, false);
  EXPECT_TRUE(p.decide(std::nullopt, Action::kPull, "lab/app").allowed)
      << "a quota of its own keeps '*'s anonymous pull";
  EXPECT_EQ(p.quota("lab/app"), std::optional<uint64_t>(7));
  EXPECT_TRUE(p.immutable("lab/app", "release-1"));
  EXPECT_EQ(p.quota("fresh/app"), std::optional<uint64_t>(100));
  EXPECT_FALSE(p.decide(std::nullopt, Action::kPull, "team/app").allowed) << "team said off";
  EXPECT_FALSE(p.immutable("team/app", "release-1")) << "team has patterns of its own";

  NamespaceChange none;
  none.set.quota = Quota();
  none.set.immutable = std::vector<std::string>();
  accounts_.change_namespace("lab", none);
  p = Policy::load(accounts_, false);
  EXPECT_FALSE(p.quota("lab/app")) << "none here, whatever '*' says";
  EXPECT_FALSE(p.immutable("lab/app", "release-1"));

  NamespaceChange inherit;
  inherit.inherit = {NamespaceField::kQuota, NamespaceField::kImmutable};
  accounts_.change_namespace("lab", inherit);
  p = Policy::load(accounts_, false);
  EXPECT_EQ(p.quota("lab/app"), std::optional<uint64_t>(100));
  EXPECT_TRUE(p.immutable("lab/app", "release-1"));
}

TEST(AccessModeTest, UsersAndTheListenAddressDecide) {
  EXPECT_EQ(mode_of(false, true, false), Mode::kOpen);
  EXPECT_EQ(mode_of(false, false, false), Mode::kLocked);
  EXPECT_EQ(mode_of(false, true, true), Mode::kEnforced);
  EXPECT_EQ(mode_of(false, false, true), Mode::kEnforced);
  EXPECT_EQ(mode_of(true, false, false), Mode::kOpen);
  EXPECT_EQ(mode_of(true, false, true), Mode::kOpen);
}

}  // namespace
}  // namespace ferry::access

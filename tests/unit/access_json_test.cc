// The admin API's JSON (access/json.h): what ferryd writes, ferryctl
// --registry must read back into the same rows, and a partial namespace
// change must stay partial.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "access/json.h"

namespace ferry::access {
namespace {

template <typename Row>
Row round_trip(const Row& row) {
  nlohmann::json j = row;
  return nlohmann::json::parse(j.dump()).get<Row>();
}

TEST(AccessJsonTest, RowsRoundTrip) {
  TokenRow token{"0123456789ab", "dev", "ci runner", 10, 20, std::nullopt};
  TokenRow t = round_trip(token);
  EXPECT_EQ(t.id, token.id);
  EXPECT_EQ(t.user, "dev");
  EXPECT_EQ(t.expires_at, std::optional<int64_t>(20));
  EXPECT_FALSE(t.revoked_at);
  EXPECT_TRUE(nlohmann::json(token)["revokedAt"].is_null());

  GrantRow g = round_trip(GrantRow{"dev", "site/line1", Role::kMaintainer});
  EXPECT_EQ(g.name_space, "site/line1");
  EXPECT_EQ(g.role, Role::kMaintainer);

  NamespaceRow team;
  team.name = "team";
  team.settings.anonymous_pull = true;
  team.settings.quota = Quota(1 << 20);
  team.settings.immutable = std::vector<std::string>{"v*", "latest"};
  NamespaceRow n = round_trip(team);
  EXPECT_EQ(n.settings.anonymous_pull, std::optional<bool>(true));
  EXPECT_FALSE(n.settings.import_allowed) << "unset stays unset (follows '*')";
  EXPECT_EQ(n.settings.quota, std::optional<Quota>(1 << 20));
  EXPECT_EQ(n.settings.immutable, (std::vector<std::string>{"v*", "latest"}));
  NamespaceRow none;
  none.name = "x";
  none.settings.quota = Quota();
  none.settings.immutable = std::vector<std::string>();
  EXPECT_EQ(nlohmann::json(none).dump(),
            R"({"anonymousPull":null,"immutable":[],"import":null,"name":"x","quota":"none"})");
  NamespaceRow back = round_trip(none);
  ASSERT_TRUE(back.settings.quota);
  EXPECT_FALSE(*back.settings.quota) << "no quota here, which is not the same as unset";
  EXPECT_EQ(back.settings.immutable, std::vector<std::string>());

  AuditRow a = round_trip(AuditRow{5, "admin", "grant", "dev team writer", "10.0.0.2", "ok", ""});
  EXPECT_EQ(a.at, 5);
  EXPECT_EQ(a.client, "10.0.0.2");
  EXPECT_EQ(round_trip(UserRow{"dev", 7}).created_at, 7);
}

TEST(AccessJsonTest, NamespaceChangeCarriesOnlyWhatIsSetAndNullInherits) {
  NamespaceChange change;
  change.set.quota = Quota();  // no quota here
  change.inherit = {NamespaceField::kAnonymousPull};
  nlohmann::json j = change;
  EXPECT_EQ(j.dump(), R"({"anonymousPull":null,"quota":"none"})");
  auto back = j.get<NamespaceChange>();
  ASSERT_TRUE(back.set.quota.has_value());
  EXPECT_FALSE(back.set.quota->has_value());
  EXPECT_FALSE(back.set.anonymous_pull);
  EXPECT_FALSE(back.set.import_allowed);
  EXPECT_FALSE(back.set.immutable);
  EXPECT_EQ(back.inherit, std::vector<NamespaceField>{NamespaceField::kAnonymousPull});

  auto set = nlohmann::json::parse(R"({"import":true,"immutable":["v*"],"quota":1024})")
                 .get<NamespaceChange>();
  EXPECT_EQ(set.set.import_allowed, std::optional<bool>(true));
  EXPECT_EQ(set.set.quota, std::optional<Quota>(1024));
  EXPECT_TRUE(set.inherit.empty());
}

TEST(AccessJsonTest, WrongTypesThrowForTheApiToAnswer400) {
  EXPECT_THROW(nlohmann::json::parse(R"({"name":1,"createdAt":2})").get<UserRow>(),
               nlohmann::json::exception);
  // Times are integers: get<int64_t>() of 1e300 would be undefined (found by
  // fuzz/admin_json_fuzz.cc).
  EXPECT_THROW(nlohmann::json::parse(R"({"name":"a","createdAt":1e300})").get<UserRow>(),
               nlohmann::json::exception);
  EXPECT_THROW(nlohmann::json::parse(R"({"id":"t","user":"a","description":"","createdAt":1,)"
                                     R"("expiresAt":2.5,"revokedAt":null})")
                   .get<TokenRow>(),
               nlohmann::json::exception);
  for (const char* bad : {R"({"anonymousPull":"yes"})", R"({"quota":"20GiB"})", R"({"quota":-1})",
                          R"({"immutable":"v*"})", R"({"anonymous_pull":true})"}) {
    EXPECT_THROW(nlohmann::json::parse(bad).get<NamespaceChange>(), nlohmann::json::exception)
        << bad;
  }
}

}  // namespace
}  // namespace ferry::access

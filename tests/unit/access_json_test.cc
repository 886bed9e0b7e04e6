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

  NamespaceRow n = round_trip(NamespaceRow{"team", true, true, 1 << 20, {"v*", "latest"}});
  EXPECT_TRUE(n.anonymous_pull);
  EXPECT_EQ(n.import_allowed, std::optional<bool>(true));
  EXPECT_FALSE(round_trip(NamespaceRow{"x", false, std::nullopt, std::nullopt, {}}).import_allowed);
  EXPECT_EQ(n.quota_bytes, std::optional<uint64_t>(1 << 20));
  EXPECT_EQ(n.immutable, (std::vector<std::string>{"v*", "latest"}));

  AuditRow a = round_trip(AuditRow{5, "admin", "grant", "dev team writer", "10.0.0.2", "ok", ""});
  EXPECT_EQ(a.at, 5);
  EXPECT_EQ(a.client, "10.0.0.2");
  EXPECT_EQ(round_trip(UserRow{"dev", 7}).created_at, 7);
}

TEST(AccessJsonTest, NamespaceChangeCarriesOnlyWhatIsSet) {
  NamespaceChange change;
  change.quota_bytes = std::optional<uint64_t>();  // clear the quota
  nlohmann::json j = change;
  EXPECT_EQ(j.dump(), R"({"quota":null})");
  auto back = j.get<NamespaceChange>();
  ASSERT_TRUE(back.quota_bytes.has_value());
  EXPECT_FALSE(back.quota_bytes->has_value());
  EXPECT_FALSE(back.anonymous_pull);
  EXPECT_FALSE(back.import_allowed);
  EXPECT_FALSE(back.immutable);

  auto set = nlohmann::json::parse(R"({"import":true,"immutable":["v*"]})").get<NamespaceChange>();
  EXPECT_EQ(set.import_allowed, std::optional<bool>(true));
  EXPECT_FALSE(set.quota_bytes);
}

TEST(AccessJsonTest, WrongTypesThrowForTheApiToAnswer400) {
  EXPECT_THROW(nlohmann::json::parse(R"({"name":1,"createdAt":2})").get<UserRow>(),
               nlohmann::json::exception);
  EXPECT_THROW(nlohmann::json::parse(R"({"anonymousPull":"yes"})").get<NamespaceChange>(),
               nlohmann::json::exception);
}

}  // namespace
}  // namespace ferry::access

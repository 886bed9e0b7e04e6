// The admin API's route table (daemon/api/admin_routes.h): which paths fit
// which pattern, and that no two routes answer the same request.
#include "daemon/api/admin_routes.h"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <utility>

#include "access/admin_paths.h"

namespace ferry::api {
namespace {

using Parts = std::vector<std::string>;
using Args = std::optional<std::vector<std::string>>;

TEST(AdminRoutesTest, LiteralsMatchWholeParts) {
  EXPECT_EQ(match_admin_path("users", {"users"}), Args(Parts{}));
  EXPECT_EQ(match_admin_path("users", {"user"}), std::nullopt);
  EXPECT_EQ(match_admin_path("users", {"users", "x"}), std::nullopt);
  EXPECT_EQ(match_admin_path("users", {}), std::nullopt);
}

TEST(AdminRoutesTest, NamedPartsAreCaptured) {
  EXPECT_EQ(match_admin_path("users/{name}/password", {"users", "dev", "password"}),
            Args(Parts{"dev"}));
  EXPECT_EQ(match_admin_path("users/{name}/password", {"users", "dev", "pass"}), std::nullopt);
  EXPECT_EQ(match_admin_path("users/{name}", {"users", "dev", "password"}), std::nullopt);
  EXPECT_EQ(match_admin_path("users/{name}", {"users"}), std::nullopt);
}

TEST(AdminRoutesTest, AStarredPartTakesTheRestJoined) {
  EXPECT_EQ(match_admin_path("grants/{user}/{namespace*}", {"grants", "dev", "site", "line1"}),
            Args(Parts{"dev", "site/line1"}));
  EXPECT_EQ(match_admin_path("grants/{user}/{namespace*}", {"grants", "dev", "team"}),
            Args(Parts{"dev", "team"}));
  EXPECT_EQ(match_admin_path("grants/{user}/{namespace*}", {"grants", "dev"}), std::nullopt);
  EXPECT_EQ(match_admin_path("namespaces/{name*}", {"namespaces", "*"}), Args(Parts{"*"}));
}

TEST(AdminRoutesTest, NoTwoRoutesShareAMethodAndPath) {
  std::set<std::pair<std::string_view, std::string_view>> seen;
  for (const auto& route : admin_routes()) {
    EXPECT_TRUE(seen.emplace(route.method, route.path).second) << route.method << " " << route.path;
    EXPECT_NE(route.handle, nullptr);
  }
  EXPECT_EQ(seen.size(), 18u);
}

// What ferryctl's RemoteAdmin fills in is what ferryd's table matches.
TEST(AdminRoutesTest, FilledPathsMatchTheirOwnPattern) {
  namespace paths = access::paths;
  EXPECT_EQ(paths::fill(paths::kPassword, {"dev"}), "users/dev/password");
  EXPECT_EQ(paths::fill(paths::kGrant, {"dev", "site/line1"}), "grants/dev/site/line1");
  EXPECT_EQ(match_admin_path(paths::kGrant, {"grants", "dev", "site", "line1"}),
            Args(Parts{"dev", "site/line1"}));
  EXPECT_EQ(paths::fill(paths::kUsers, {}), "users");
  EXPECT_THROW(paths::fill(paths::kUser, {}), std::invalid_argument);
  EXPECT_THROW(paths::fill(paths::kUsers, {"x"}), std::invalid_argument);
}

}  // namespace
}  // namespace ferry::api

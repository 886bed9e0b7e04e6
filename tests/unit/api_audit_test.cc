// GET /ferry/v1/audit's filters, ids and paging (docs/access.md, "Audit log").
#include <gtest/gtest.h>

#include "access/accounts.h"
#include "tests/support/in_process.h"

namespace ferry::testing {
namespace {

constexpr const char* kPassword = "correct horse";

class ApiAudit : public ::testing::Test {
 protected:
  void SetUp() override {
    RegistryOptions options;
    options.gate = true;
    api_ = std::make_unique<InProcess>(options);
    api_->add_user("root", kPassword);
    api_->grant("root", "*", "admin");
    api_->add_user("lead", kPassword);
    api_->grant("lead", "team", "admin");
    api_->with_accounts([](access::Accounts& a) {
      a.prune_audit(0, 1);  // whatever setting up wrote
      a.prune_audit(INT64_MAX, 0);
      auto row = [](std::string actor, std::string action, std::string target, std::string result) {
        return access::AuditRow{1000, actor, action, target, "10.0.0.1", result, ""};
      };
      a.audit(row("ci", "push manifest", "team/app:v1", "ok"));
      a.audit(row("ci", "push manifest", "teamx/app:v1", "ok"));
      a.audit(row("bob", "delete manifest", "team/app:v1", "refused"));
      a.audit(row("anonymous", "login", "bob", "failed"));
      a.audit(row("ci", "push manifest", "team:odd", "ok"));
    });
  }

  nlohmann::json get(const std::string& query, Reply* out = nullptr) {
    Reply r = api_->get("/ferry/v1/audit" + query, admin_);
    EXPECT_EQ(r.status, 200u) << r.body;
    if (out) *out = r;
    return r.json()["entries"];
  }

  std::unique_ptr<InProcess> api_;
  Headers admin_{{"Authorization", basic("root", kPassword)}};
};

TEST_F(ApiAudit, EntriesHaveIdsNewestFirst) {
  auto all = get("");
  ASSERT_EQ(all.size(), 5u) << all.dump();
  EXPECT_EQ(all[0]["target"], "team:odd");
  EXPECT_GT(all[0]["id"].get<int64_t>(), all[1]["id"].get<int64_t>());
}

TEST_F(ApiAudit, FiltersMatchExactly) {
  EXPECT_EQ(get("?user=ci").size(), 3u);
  EXPECT_EQ(get("?user=c").size(), 0u) << "not a substring";
  EXPECT_EQ(get("?action=push+manifest").size(), 3u);
  EXPECT_EQ(get("?result=failed")[0]["actor"], "anonymous");
  // The namespace is the target's first component: team/app and team:odd,
  // not teamx/app.
  auto team = get("?namespace=team");
  ASSERT_EQ(team.size(), 3u) << team.dump();
  for (const auto& e : team) EXPECT_NE(e["target"], "teamx/app:v1");
  EXPECT_EQ(get("?namespace=team&user=bob&result=refused").size(), 1u);
  EXPECT_EQ(get("?namespace=%25").size(), 0u) << "no pattern characters";
}

TEST_F(ApiAudit, PagesFollowTheLinkWithTheFilters) {
  Reply first;
  auto page1 = get("?user=ci&n=2", &first);
  ASSERT_EQ(page1.size(), 2u);
  auto link = first.header("Link");
  ASSERT_TRUE(link);
  std::string next = link->substr(1, link->find('>') - 1);
  EXPECT_NE(next.find("user=ci"), std::string::npos) << next;
  Reply r = api_->get(next, admin_);
  auto page2 = r.json()["entries"];
  ASSERT_EQ(page2.size(), 1u) << r.body;
  EXPECT_EQ(page2[0]["target"], "team/app:v1");
  EXPECT_FALSE(r.header("Link")) << "the last page";
  EXPECT_API_ERROR(api_->get("/ferry/v1/audit?n=0", admin_), 400u, "INVALID");
}

TEST_F(ApiAudit, OnlyAdminsOfEverythingReadIt) {
  EXPECT_API_ERROR(api_->get("/ferry/v1/audit", {{"Authorization", basic("lead", kPassword)}}),
                   403u, "DENIED");
  EXPECT_API_ERROR(api_->get("/ferry/v1/audit"), 401u, "UNAUTHORIZED");
}

}  // namespace
}  // namespace ferry::testing

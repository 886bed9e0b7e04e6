// A push over HTTP to a real ferryd and an import beside it, breaking the
// same rule, are refused with the same words: both come from access::Rules.
#include <nlohmann/json.hpp>

#include "access/accounts.h"
#include "core/store.h"
#include "daemon/import/importer.h"
#include "tests/integration/registry_fixture.h"
#include "tests/support/bundles.h"

namespace ferry::testing {
namespace {

class WriteRulesOverHttpTest : public RegistryTest {
 protected:
  // Namespace team's settings are made before ferryd starts, so it serves
  // with them from its first request.
  void SetUp() override {}
  void start_with(const access::NamespaceChange& team) {
    {
      Store store(StoreOptions{data_, 1 << 20});
      access::Accounts(store.database()).change_namespace("team", team);
    }
    start();
    make_signer(dir_.path());
  }
  // `ferryd import` of a bundle beside the running server.
  import::ImportOutcome import(const std::string& bundle) {
    Store store(StoreOptions{data_, 4 << 20, false});
  import::ImportOptions options;
  options.bundle = bundle;
  options.trust_dir = dir_ / "trust";
  options.show_progress = false;
  return import::import_bundle(store, options);
} static std::string message(const HttpResult& r) {
  return nlohmann::json::parse(r.body)["errors"][0]["message"].get<std::string>();
}

std::string data_ = dir_ / "data";
};  // namespace

TEST_F(WriteRulesOverHttpTest, AnImmutableTagIsRefusedAlikeToAPushAndAnImport) {
  access::NamespaceChange team;
  team.set.immutable = std::vector<std::string>{"v*"};
  start_with(team);
  std::string first = push_image("team/app", "v1", "first layer");

  // The same image, once pushed and once in a bundle, would move v1.
  std::string layer = "the second layer";
  push_blob("team/app", kLayoutConfig);
  push_blob("team/app", layer);
  auto pushed = put_manifest("team/app", "v1", layout_manifest(layer));
  ASSERT_EQ(pushed.status, 403) << pushed.body;
  EXPECT_EQ(pushed.error_code(), "DENIED");
  auto imported = import(pack_bundle(dir_.path(), "team/app", "v1", layer, 1));
  EXPECT_EQ(imported.exit_code, 27);
  EXPECT_EQ(imported.record.error, message(pushed));
  EXPECT_NE(message(pushed).find("would move tag team/app:v1 from " + digest_of(first).str()),
            std::string::npos)
      << message(pushed);
  EXPECT_EQ(get("/v2/team/app/manifests/v1").body, first) << "v1 did not move";
}

TEST_F(WriteRulesOverHttpTest, AQuotaIsRefusedAlikeToAPushAndAnImport) {
  access::NamespaceChange team;
  team.set.quota = access::Quota(100);
  start_with(team);
  std::string layer(300, 'q');
  std::string bundle = pack_bundle(dir_.path(), "team/app", "v1", layer, 1);
  // What the bundle adds: its three blobs, pushed whole as one monolithic upload would be.
  std::string all = kLayoutConfig + layer + layout_manifest(layer);
  auto pushed = send("POST", "/v2/team/app/blobs/uploads/?digest=" + digest_of(all).str(), all);
  ASSERT_EQ(pushed.status, 403) << pushed.body;
  auto imported = import(bundle);
  EXPECT_EQ(imported.exit_code, 25);
  EXPECT_EQ(imported.record.error, message(pushed));
}

}  // namespace ferry::testing
}  // namespace ferry::testing

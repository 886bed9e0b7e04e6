// The write rules (access/rules.h) decide the same way whichever way a write
// comes: a push through the HTTP gate (daemon/api/gate.h, whose refusals
// become the 403's message) or a signed bundle through `ferryd import`. Each
// test asks one Rules object, the gate's, from both sides.
#include <gtest/gtest.h>

#include <filesystem>

#include "access/accounts.h"
#include "access/rules.h"
#include "base/error.h"
#include "core/store.h"
#include "daemon/api/gate.h"
#include "daemon/import/importer.h"
#include "tests/support/bundles.h"
#include "tests/support/temp_dir.h"

namespace ferry {
namespace {

using access::Action;

using testing::make_layout;

class WriteRulesTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
  std::string data_ = dir_ / "data";
  std::optional<Store> store_;
  std::optional<api::Gate> gate_;

  // A box with no users, listening on loopback (open) or beyond it (locked).
  void open_box(bool loopback) {
    std::filesystem::create_directories(data_);
    store_.emplace(StoreOptions{data_, 1 << 20});
    gate_.emplace(
        *store_,
        api::GateOptions{false, loopback, data_ + "/token.key", std::chrono::seconds(300), {}});
    testing::make_signer(dir_.path());
  }
  access::Accounts accounts() { return access::Accounts(store_->database()); }
  void settle() { gate_->rules().refresh(); }

  std::string pack(const std::string& name, const std::string& tag, const std::string& layer,
                   uint64_t sequence) {
    return testing::pack_bundle(dir_.path(), name, tag, layer, sequence);
  }
  // Imports through the gate's own rules, as the inbox of ferryd serve does.
  import::ImportOutcome import(const std::string& bundle) { import::ImportOptions options;
  options.bundle = bundle;
  options.trust_dir = dir_ / "trust";
  options.show_progress = false;
  options.access = {false, true, &gate_->rules()};
  return import::import_bundle(*store_, options);
}
// What the gate refuses with: the message of the 403 (or 401).
template <typename F>
std::string refusal(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.code_in<ErrorCode>(), ErrorCode::kDenied) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "not refused";
  return "";
}
std::string tag_of(const std::string& repo, const std::string& tag) {
  return store_->resolve_manifest(repo, tag, false).digest;
}
};  // namespace

TEST_F(WriteRulesTest, AnImportCannotMoveAnImmutableTagAndAPushIsRefusedAlike) {
  open_box(true);
  access::NamespaceChange team;
  team.set.immutable = std::vector<std::string>{"v*"};
  accounts().change_namespace("team", team);
  settle();
  ASSERT_TRUE(import(pack("team/app", "v1", "first layer", 1)).ok());
  std::string first = tag_of("team/app", "v1");

  auto second = import(pack("team/app", "v1", "second layer", 2));
  EXPECT_EQ(second.exit_code, 27);
  EXPECT_EQ(second.record.reason, "immutable");
  EXPECT_EQ(tag_of("team/app", "v1"), first) << "the tag did not move";

  // The second bundle's image, as a push would send it.
  std::string incoming = make_layout(dir_ / "again", "x", "second layer").str();
  std::string rule = gate_->rules().may_move_tag("team/app", "v1", first, incoming).reason;
  EXPECT_NE(rule.find("would move tag team/app:v1 from " + first), std::string::npos) << rule;
  EXPECT_EQ(second.record.error, rule) << "the import says what the rules say";
  EXPECT_EQ(refusal([&] { gate_->check_tag_change("team/app", "v1", first, incoming); }), rule)
      << "and so does the 403 of a push";
  EXPECT_TRUE(import(pack("team/app", "dev", "second layer", 3)).ok()) << "a mutable tag moves";
}

TEST_F(WriteRulesTest, AQuotaRefusesAnImportAndAPushWithTheSameReason) {
  open_box(true);
  access::NamespaceChange team;
  team.set.quota = access::Quota(100);
  accounts().change_namespace("team", team);
  settle();
  std::string bundle = pack("team/app", "v1", std::string(500, 'x'), 1);
  // Everything the bundle would add to the namespace: the layout's blobs.
  uint64_t adds = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir_ / "layout1/blobs/sha256")) {
    adds += f.file_size();
  }
  auto outcome = import(bundle);
  EXPECT_EQ(outcome.exit_code, 25);
  EXPECT_EQ(outcome.record.reason, "quota");
  std::string pushed = refusal([&] { gate_->check_quota("team/app", adds); });
  EXPECT_NE(pushed.find("namespace 'team' would go over its quota of 100 B"), std::string::npos)
      << pushed;
  EXPECT_EQ(outcome.record.error, pushed);
  EXPECT_NO_THROW(gate_->check_quota("other/app", adds)) << "no quota there";
}

TEST_F(WriteRulesTest, AnImportCountsWhatOpenUploadsHoldInTheNamespace) {
  open_box(true);
  std::string bundle = pack("team/app", "v1", std::string(500, 'x'), 1);
  uint64_t adds = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir_ / "layout1/blobs/sha256")) {
    adds += f.file_size();
  }
  access::NamespaceChange team;
  team.set.quota = access::Quota(adds + 1000);
  accounts().change_namespace("team", team);
  settle();
  std::string id = store_->start_upload("team/other");
  store_->open_upload("team/other", id).append(std::string(2000, 'u').data(), 2000);
  auto refused = import(bundle);
  EXPECT_EQ(refused.exit_code, 25);
  EXPECT_NE(refused.record.error.find("in open uploads"), std::string::npos)
      << refused.record.error;
  store_->cancel_upload("team/other", id);
  EXPECT_EQ(import(bundle).exit_code, 0) << "fits once the session is gone";
}

TEST_F(WriteRulesTest, ALockedBoxRefusesPushesAndImportsAlike) {
  open_box(false);  // no users, beyond loopback
  settle();
  api::Caller anonymous{std::nullopt, "192.0.2.1", "http://x/ferry/v1/token", std::nullopt,
                        std::nullopt};
  std::string pushed = refusal([&] { gate_->require(anonymous, Action::kPush, "team/app"); });
  EXPECT_NE(pushed.find("ferryctl user add"), std::string::npos) << pushed;
  EXPECT_NO_THROW(gate_->require(anonymous, Action::kPull, "team/app")) << "pulls stay open";
  auto outcome = import(pack("team/app", "v1", "layer", 1));
  EXPECT_EQ(outcome.exit_code, 26);
  EXPECT_EQ(outcome.record.reason, "not-allowed");
  EXPECT_EQ(outcome.record.error, pushed);
}

TEST_F(WriteRulesTest, OnceUsersExistImportsNeedTheNamespacesPermission) {
  open_box(true);
  accounts().add_user("admin", "long enough");
  accounts().grant("admin", "*", access::Role::kAdmin);
  settle();
  std::string bundle = pack("team/app", "v1", "layer", 1);
  auto outcome = import(bundle);
  EXPECT_EQ(outcome.exit_code, 26);
  EXPECT_EQ(outcome.record.error, gate_->rules().may_import("team/app").reason);
  EXPECT_NE(outcome.record.error.find("ferryctl namespace set team --import on"),
            std::string::npos);

  access::NamespaceChange team;
  team.set.import_allowed = true;
  accounts().change_namespace("team", team);
  settle();
  EXPECT_TRUE(import(bundle).ok()) << "allowed without a restart";
}

}  // namespace ferry
}  // namespace ferry

#include "access/accounts.h"

#include <gtest/gtest.h>

#include <limits>

#include "access/policy.h"
#include "core/sql_pool.h"
#include "tests/support/temp_dir.h"

namespace ferry::access {
namespace {

class AccountsTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
  sql::Pool pool_{dir_.path() + "/ferry.db"};
  Accounts accounts_{pool_};

  AccessErrorKind kind_of(const std::function<void()>& f) {
    try {
      f();
    } catch (const Error& e) {
      if (auto kind = e.code_in<AccessErrorKind>()) return *kind;
    }
    ADD_FAILURE() << "no access error";
    return AccessErrorKind::kInvalid;
  }
};

TEST_F(AccountsTest, PasswordsAreArgon2idAndChecked) {
  accounts_.add_user("alice", "correct horse");
  EXPECT_TRUE(accounts_.check_password("alice", "correct horse"));
  EXPECT_FALSE(accounts_.check_password("alice", "correct hors"));
  EXPECT_FALSE(accounts_.check_password("nobody", "correct horse"));
  auto stored = pool_.acquire()->prepare("SELECT password_hash FROM users").one_text();
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->rfind("$argon2id$", 0), 0u) << *stored;
  EXPECT_EQ(stored->find("correct"), std::string::npos);
  accounts_.set_password("alice", "battery staple");
  EXPECT_FALSE(accounts_.check_password("alice", "correct horse"));
  EXPECT_TRUE(accounts_.check_password("alice", "battery staple"));
}

TEST_F(AccountsTest, RefusesBadNamesShortPasswordsAndDuplicates) {
  EXPECT_EQ(kind_of([&] { accounts_.add_user("Alice", "long enough"); }),
            AccessErrorKind::kInvalid);
  EXPECT_EQ(kind_of([&] { accounts_.add_user("../x", "long enough"); }), AccessErrorKind::kInvalid);
  EXPECT_EQ(kind_of([&] { accounts_.add_user("bob", "short"); }), AccessErrorKind::kInvalid);
  accounts_.add_user("bob", "long enough");
  EXPECT_EQ(kind_of([&] { accounts_.add_user("bob", "long enough"); }), AccessErrorKind::kExists);
  EXPECT_EQ(kind_of([&] { accounts_.remove_user("carol"); }), AccessErrorKind::kUnknown);
}

TEST_F(AccountsTest, TokensAreShownOnceStoredHashedAndExpireOrRevoke) {
  accounts_.add_user("ci", "long enough");
  NewToken t = accounts_.create_token("ci", 2000, "pipeline");
  auto owner = accounts_.check_token(t.secret, 1000);
  ASSERT_TRUE(owner);
  EXPECT_EQ(owner->user, "ci");
  EXPECT_EQ(owner->expires_at, std::optional<int64_t>(2000)) << "ferryd caches it no longer";
  EXPECT_FALSE(accounts_.check_token(t.secret, 2000)) << "expired";
  auto stored = pool_.acquire()->prepare("SELECT secret_hash FROM tokens").one_text();
  EXPECT_EQ(t.secret.find(*stored), std::string::npos) << "only a hash is stored";

  std::string tampered = t.secret;
  tampered.back() = tampered.back() == '0' ? '1' : '0';
  EXPECT_FALSE(accounts_.check_token(tampered, 1000));
  EXPECT_FALSE(accounts_.check_token("ferry_short", 1000));
  EXPECT_FALSE(accounts_.check_token("", 1000));

  NewToken forever = accounts_.create_token("ci", std::nullopt, "");
  EXPECT_TRUE(accounts_.check_token(forever.secret, 4000000000));
  accounts_.revoke_token(forever.id, 1500);
  EXPECT_FALSE(accounts_.check_token(forever.secret, 1600));
  EXPECT_EQ(kind_of([&] { accounts_.revoke_token(forever.id, 1700); }), AccessErrorKind::kUnknown);
  auto all = accounts_.tokens();
  ASSERT_EQ(all.size(), 2u);
  for (const auto& row : all) {
    EXPECT_EQ(row.revoked_at, row.id == forever.id ? std::optional<int64_t>(1500) : std::nullopt);
  }
}

TEST_F(AccountsTest, GrantsRolesAndRemovingAUserTakesEverythingOfTheirs) {
  accounts_.add_user("dev", "long enough");
  accounts_.grant("dev", "team", Role::kWriter);
  accounts_.grant("dev", "team", Role::kMaintainer);  // replaces
  accounts_.grant("dev", "*", Role::kReader);
  auto g = accounts_.grants();
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[1].name_space, "team");
  EXPECT_EQ(g[1].role, Role::kMaintainer);
  EXPECT_EQ(kind_of([&] { accounts_.grant("nobody", "team", Role::kReader); }),
            AccessErrorKind::kUnknown);
  EXPECT_EQ(kind_of([&] { accounts_.grant("dev", "Team!", Role::kReader); }),
            AccessErrorKind::kInvalid);
  accounts_.revoke("dev", "*");
  EXPECT_EQ(accounts_.grants().size(), 1u);
  NewToken t = accounts_.create_token("dev", std::nullopt, "");
  accounts_.remove_user("dev");
  EXPECT_TRUE(accounts_.grants().empty());
  EXPECT_TRUE(accounts_.tokens().empty());
  EXPECT_FALSE(accounts_.check_token(t.secret, 1));
}

TEST_F(AccountsTest, NamespaceSettingsChangeOnlyWhatIsGiven) {
  NamespaceChange all;
  all.set.anonymous_pull = true;
  all.set.import_allowed = true;
  all.set.quota = Quota(1 << 30);
  all.set.immutable = std::vector<std::string>{"v*", "latest"};
  accounts_.change_namespace("team", all);
  NamespaceChange pull_off;
  pull_off.set.anonymous_pull = false;
  accounts_.change_namespace("team", pull_off);
  auto ns = accounts_.namespaces();
  ASSERT_EQ(ns.size(), 1u);
  EXPECT_EQ(ns[0].settings.anonymous_pull, std::optional<bool>(false));
  EXPECT_EQ(ns[0].settings.import_allowed, std::optional<bool>(true));
  EXPECT_EQ(ns[0].settings.quota, std::optional<Quota>(1 << 30));
  EXPECT_EQ(ns[0].settings.immutable, (std::vector<std::string>{"v*", "latest"}));

  NamespaceChange none;
  none.set.quota = Quota();
  none.set.immutable = std::vector<std::string>();
  accounts_.change_namespace("team", none);
  ns = accounts_.namespaces();
  EXPECT_EQ(ns[0].settings.quota, std::optional<Quota>(Quota())) << "set to none, not unset";
  EXPECT_EQ(ns[0].settings.immutable, std::vector<std::string>());

  NamespaceChange inherit;
  inherit.inherit = {NamespaceField::kAnonymousPull, NamespaceField::kQuota,
                     NamespaceField::kImmutable};
  accounts_.change_namespace("team", inherit);
  ns = accounts_.namespaces();
  EXPECT_FALSE(ns[0].settings.anonymous_pull);
  EXPECT_FALSE(ns[0].settings.quota);
  EXPECT_FALSE(ns[0].settings.immutable);
  EXPECT_EQ(ns[0].settings.import_allowed, std::optional<bool>(true)) << "untouched";

  NamespaceChange both;
  both.set.quota = Quota(1);
  both.inherit = {NamespaceField::kQuota};
  EXPECT_THROW(accounts_.change_namespace("team", both), Error);

  int64_t before = accounts_.version();
  accounts_.remove_namespace("team");
  EXPECT_TRUE(accounts_.namespaces().empty());
  EXPECT_GT(accounts_.version(), before) << "ferryd must see the removal";
  EXPECT_EQ(kind_of([&] { accounts_.remove_namespace("team"); }), AccessErrorKind::kUnknown);
}

TEST(AccountsMigrationTest, V5NamespaceRowsKeepTheirMeaningInV6) {
  // Before v6 a namespace's row replaced "*"'s as a whole: its unset quota
  // and patterns meant none. The migration must keep that.
  testing::TempDir dir;
  {
    // A current database with its namespaces table put back in v5's shape.
    sql::Pool current(dir.path() + "/ferry.db");
    Accounts made(current);
    current.acquire()->exec(R"sql(
      DROP TABLE namespaces;
      CREATE TABLE namespaces (name TEXT PRIMARY KEY, anonymous_pull INTEGER NOT NULL DEFAULT 0,
                               quota_bytes INTEGER, immutable TEXT, import_allowed INTEGER)
                               WITHOUT ROWID;
      INSERT INTO namespaces VALUES ('*', 1, 500, 'v*', 1), ('team', 0, NULL, NULL, NULL),
                                    ('lab', 1, 9, 'x', 0);
      DROP TABLE sessions;
      UPDATE schema_versions SET version = 2 WHERE module = 'access';)sql");
  }
  sql::Pool pool(dir.path() + "/ferry.db");
  Accounts accounts(pool);
  Policy p = Policy::load(accounts, false);
  EXPECT_FALSE(p.quota("team/app"));
  EXPECT_FALSE(p.immutable("team/app", "v1"));
  EXPECT_FALSE(p.decide(std::nullopt, Action::kPull, "team/app").allowed);
  EXPECT_TRUE(p.may_import("team/app").allowed) << "import was per setting already";
  EXPECT_EQ(p.quota("lab/app"), std::optional<uint64_t>(9));
  EXPECT_FALSE(p.may_import("lab/app").allowed);
  EXPECT_EQ(p.quota("other/app"), std::optional<uint64_t>(500));
  EXPECT_TRUE(p.immutable("other/app", "v1"));
  auto rows = accounts.namespaces();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].name, "*");
  EXPECT_EQ(rows[0].settings.quota, std::optional<Quota>(500));
}

TEST_F(AccountsTest, AnEmptyImmutablePatternIsRefusedAndChangesNothing) {
  NamespaceChange protect;
  protect.set.immutable = std::vector<std::string>{"v*"};
  accounts_.change_namespace("team", protect);
  // An unset shell variable ("--immutable $P") must not drop the protection.
  NamespaceChange empty;
  empty.set.immutable = std::vector<std::string>{""};
  try {
    accounts_.change_namespace("team", empty);
    FAIL() << "an empty pattern was taken";
  } catch (const Error& e) {
    EXPECT_EQ(e.code_in<AccessErrorKind>(), AccessErrorKind::kInvalid);
    EXPECT_NE(std::string(e.what()).find("use none"), std::string::npos) << e.what();
  }
  auto rows = accounts_.namespaces();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].settings.immutable, std::vector<std::string>{"v*"});
}

TEST_F(AccountsTest, AQuotaOver1EiBIsRefusedNotTakenAsNone) {
  NamespaceChange small;
  small.set.quota = Quota(1 << 20);
  accounts_.change_namespace("team", small);
  for (uint64_t huge : {kMaxQuota + 1, uint64_t{1} << 63, ~uint64_t{0}}) {
    NamespaceChange change;
    change.set.quota = Quota(huge);
    EXPECT_EQ(kind_of([&] { accounts_.change_namespace("team", change); }),
              AccessErrorKind::kInvalid)
        << huge;
  }
  EXPECT_EQ(accounts_.namespaces()[0].settings.quota, std::optional<Quota>(1 << 20));
  NamespaceChange largest;
  largest.set.quota = Quota(kMaxQuota);
  accounts_.change_namespace("team", largest);
  EXPECT_EQ(accounts_.namespaces()[0].settings.quota, std::optional<Quota>(kMaxQuota));
}

TEST_F(AccountsTest, ATokenLifetimeOutsideOneSecondTo100YearsIsRefused) {
  accounts_.add_user("alice", "correct horse");
  for (int64_t seconds :
       {int64_t{0}, int64_t{-1}, kMaxTokenLifetime + 1, std::numeric_limits<int64_t>::max()}) {
    TokenRequest request{"alice", std::chrono::seconds(seconds), ""};
    EXPECT_EQ(kind_of([&] { accounts_.create_token(request); }), AccessErrorKind::kInvalid)
        << seconds;
  }
  EXPECT_TRUE(accounts_.tokens().empty());
  auto t =
      accounts_.create_token(TokenRequest{"alice", std::chrono::seconds(kMaxTokenLifetime), ""});
  ASSERT_TRUE(t.expires_at);
  EXPECT_GT(*t.expires_at, kMaxTokenLifetime) << "now + lifetime, not wrapped";
}

TEST_F(AccountsTest, AuditLogIsNewestFirst) {
  accounts_.audit({1, "a", "user add", "x", "local", "ok", ""});
  accounts_.audit({2, "a", "grant", "x team writer", "local", "ok", ""});
  auto log = accounts_.audit_log(10);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].action, "grant");
  EXPECT_EQ(accounts_.audit_log(1).size(), 1u);
}

TEST_F(AccountsTest, AuditPruningDropsTheOldestByAgeThenByCount) {
  for (int64_t at = 100; at < 110; ++at) accounts_.audit({at, "a", "push", "x", "local", "ok", ""});
  EXPECT_EQ(accounts_.prune_audit(0, 0), 0) << "0 and 0: keep everything";
  EXPECT_EQ(accounts_.prune_audit(103, 0), 3);  // at 100, 101, 102
  EXPECT_EQ(accounts_.audit_log(100).back().at, 103);
  EXPECT_EQ(accounts_.prune_audit(0, 4), 3);  // keeps the newest four
  auto log = accounts_.audit_log(100);
  ASSERT_EQ(log.size(), 4u);
  EXPECT_EQ(log.front().at, 109);
  EXPECT_EQ(log.back().at, 106);
  EXPECT_EQ(accounts_.prune_audit(1000, 0), 4) << "all older than the cut-off";
  EXPECT_TRUE(accounts_.audit_log(100).empty());
  EXPECT_EQ(accounts_.prune_audit(1000, 1), 0) << "an empty log";
  accounts_.audit({2000, "a", "push", "x", "local", "ok", ""});
  EXPECT_EQ(accounts_.audit_log(100).size(), 1u) << "writing goes on after pruning";
}

}  // namespace
}  // namespace ferry::access

// Data dirs made before per-module schema versions (one PRAGMA
// user_version for every table, 6 at the last) open and upgrade without
// loss: schema_versions is seeded from user_version, and each module (the
// store's registry tables, import records, access) takes its own version
// from it. The legacy database below is made with the old migration SQL,
// verbatim (core/metadata.cc before issue 12).
#include <gtest/gtest.h>

#include <filesystem>

#include "access/accounts.h"
#include "access/policy.h"
#include "core/import_records.h"
#include "core/sql_pool.h"
#include "core/store.h"
#include "tests/support/temp_dir.h"

namespace ferry {
namespace {

constexpr const char* kLegacyV1 = R"sql(
CREATE TABLE repositories (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);
CREATE TABLE blobs (
  digest     TEXT PRIMARY KEY,
  size       INTEGER NOT NULL,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE repository_blobs (
  repository_id INTEGER NOT NULL REFERENCES repositories(id),
  digest        TEXT NOT NULL REFERENCES blobs(digest),
  created_at    INTEGER NOT NULL,
  PRIMARY KEY (repository_id, digest)
) WITHOUT ROWID;
CREATE TABLE manifests (
  repository_id INTEGER NOT NULL REFERENCES repositories(id),
  digest        TEXT NOT NULL REFERENCES blobs(digest),
  media_type    TEXT NOT NULL,
  size          INTEGER NOT NULL,
  artifact_type TEXT,
  subject       TEXT,
  annotations   TEXT,
  created_at    INTEGER NOT NULL,
  PRIMARY KEY (repository_id, digest)
) WITHOUT ROWID;
CREATE INDEX manifests_by_subject ON manifests(repository_id, subject) WHERE subject IS NOT NULL;
-- kind 0: a blob the manifest needs; kind 1: a child manifest of an index.
CREATE TABLE manifest_references (
  repository_id   INTEGER NOT NULL,
  manifest_digest TEXT NOT NULL,
  target_digest   TEXT NOT NULL,
  kind            INTEGER NOT NULL,
  PRIMARY KEY (repository_id, manifest_digest, target_digest),
  FOREIGN KEY (repository_id, manifest_digest) REFERENCES manifests(repository_id, digest)
) WITHOUT ROWID;
CREATE INDEX manifest_references_by_target ON manifest_references(repository_id, target_digest);
CREATE TABLE tags (
  repository_id INTEGER NOT NULL,
  name          TEXT NOT NULL,
  digest        TEXT NOT NULL,
  updated_at    INTEGER NOT NULL,
  PRIMARY KEY (repository_id, name),
  FOREIGN KEY (repository_id, digest) REFERENCES manifests(repository_id, digest)
) WITHOUT ROWID;
CREATE TABLE uploads (
  id            TEXT PRIMARY KEY,
  repository_id INTEGER NOT NULL REFERENCES repositories(id),
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX uploads_by_age ON uploads(updated_at);
)sql";
constexpr const char* kLegacyV2 = R"sql(
CREATE TABLE imports (
  id            INTEGER PRIMARY KEY,
  started_at    INTEGER NOT NULL,
  finished_at   INTEGER,
  duration_ms   INTEGER,
  source        TEXT NOT NULL,
  bundle_id     TEXT,
  signer        TEXT,
  channel       TEXT,
  sequence      INTEGER,
  images        TEXT,
  blobs_written INTEGER NOT NULL DEFAULT 0,
  bytes_written INTEGER NOT NULL DEFAULT 0,
  bytes_skipped INTEGER NOT NULL DEFAULT 0,
  result        TEXT NOT NULL,
  reason        TEXT,
  error         TEXT
);
CREATE TABLE import_sequences (
  signer      TEXT NOT NULL,
  channel     TEXT NOT NULL,
  sequence    INTEGER NOT NULL,
  bundle_id   TEXT NOT NULL,
  imported_at INTEGER NOT NULL,
  PRIMARY KEY (signer, channel)
) WITHOUT ROWID;
)sql";
constexpr const char* kLegacyV3 = R"sql(
CREATE TABLE damaged (
  digest   TEXT PRIMARY KEY,
  found_at INTEGER NOT NULL,
  reason   TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX repository_blobs_by_digest ON repository_blobs(digest);
CREATE INDEX manifests_by_digest ON manifests(digest);
)sql";
constexpr const char* kLegacyV4 = R"sql(
CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  created_at    INTEGER NOT NULL
);
CREATE TABLE tokens (
  id          TEXT PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  secret_hash TEXT NOT NULL,
  description TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER,
  revoked_at  INTEGER
) WITHOUT ROWID;
CREATE TABLE namespaces (
  name           TEXT PRIMARY KEY,
  anonymous_pull INTEGER NOT NULL DEFAULT 0,
  quota_bytes    INTEGER,
  immutable      TEXT
) WITHOUT ROWID;
CREATE TABLE grants (
  user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  namespace TEXT NOT NULL,
  role      TEXT NOT NULL CHECK (role IN ('reader', 'writer', 'maintainer', 'admin')),
  PRIMARY KEY (user_id, namespace)
) WITHOUT ROWID;
-- Bumped by every change to the tables above, so ferryd reloads its
-- snapshot of them within a second, without a restart.
CREATE TABLE access_state (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL
);
INSERT INTO access_state(id, version) VALUES (1, 0);
CREATE TABLE audit (
  id     INTEGER PRIMARY KEY,
  at     INTEGER NOT NULL,
  actor  TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  client TEXT NOT NULL,
  result TEXT NOT NULL,
  detail TEXT NOT NULL
);
)sql";
constexpr const char* kLegacyV5 = R"sql(
ALTER TABLE namespaces ADD COLUMN import_allowed INTEGER;
ALTER TABLE access_state ADD COLUMN served_beyond_loopback INTEGER NOT NULL DEFAULT 0;
)sql";
constexpr const char* kLegacyV6 = R"sql(
CREATE TABLE namespaces_v6 (
  name           TEXT PRIMARY KEY,
  anonymous_pull INTEGER,
  quota_bytes    INTEGER,
  immutable      TEXT,
  import_allowed INTEGER
) WITHOUT ROWID;
INSERT INTO namespaces_v6(name, anonymous_pull, quota_bytes, immutable, import_allowed)
  SELECT name, anonymous_pull,
         CASE WHEN quota_bytes IS NULL AND name <> '*' THEN -1 ELSE quota_bytes END,
         CASE WHEN immutable IS NULL AND name <> '*' THEN '' ELSE immutable END,
         import_allowed
  FROM namespaces;
DROP TABLE namespaces;
ALTER TABLE namespaces_v6 RENAME TO namespaces;
)sql";

// Rows in every table of a v6 database.
constexpr const char* kLegacyRows = R"sql(
INSERT INTO repositories(id, name, created_at) VALUES (1, 'team/app', 10);
INSERT INTO blobs VALUES ('sha256:aa', 3, 10), ('sha256:mm', 5, 10), ('sha256:dd', 7, 10);
INSERT INTO repository_blobs VALUES (1, 'sha256:aa', 10);
INSERT INTO manifests VALUES (1, 'sha256:mm', 'application/vnd.oci.image.manifest.v1+json', 5,
                              NULL, NULL, NULL, 10);
INSERT INTO manifest_references VALUES (1, 'sha256:mm', 'sha256:aa', 0);
INSERT INTO tags VALUES (1, 'v1', 'sha256:mm', 10);
INSERT INTO uploads VALUES ('u1', 1, 10, 10);
INSERT INTO damaged VALUES ('sha256:dd', 11, 'size');
INSERT INTO imports(id, started_at, source, bundle_id, result) VALUES (4, 20, 'b.ferry', 'B1', 'imported');
INSERT INTO import_sequences VALUES ('KEY', 'stable', 9, 'B1', 20);
INSERT INTO users VALUES (1, 'alice', 'not-a-real-hash', 30);
INSERT INTO tokens VALUES ('0123456789ab', 1, 'x', 'ci', 30, NULL, NULL);
INSERT INTO namespaces VALUES ('team', 1, 2048, 'v*', 1);
INSERT INTO grants VALUES (1, 'team', 'maintainer');
UPDATE access_state SET version = 17, served_beyond_loopback = 1;
INSERT INTO audit(at, actor, action, target, client, result, detail)
  VALUES (40, 'ferryctl:root', 'user add', 'alice', 'local', 'ok', '');
PRAGMA user_version = 6;
)sql";

int64_t query_int(sql::Pool& pool, const char* query) {
  return pool.acquire()->prepare(query).one_int().value_or(-1);
}

class SchemaMigrationTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
  std::string db_path_ = dir_.path() + "/ferry.db";

  void make_legacy_v6() {
    sql::Database db(db_path_);
    for (const char* step : {kLegacyV1, kLegacyV2, kLegacyV3, kLegacyV4, kLegacyV5, kLegacyV6}) {
      db.exec(step);
    }
    db.exec(kLegacyRows);
  }
};

TEST_F(SchemaMigrationTest, AVersion6DataDirOpensUpgradedWithEveryRowKept) {
  make_legacy_v6();
  Store store(StoreOptions{dir_.path(), 4096});
  ImportRecords records(store.database());
  access::Accounts accounts(store.database());

  sql::Pool& pool = store.database();
  EXPECT_EQ(query_int(pool, "PRAGMA user_version"), sql::kPerModuleSchema);
  EXPECT_EQ(query_int(pool, "SELECT version FROM schema_versions WHERE module = 'legacy'"), 6);
  EXPECT_EQ(query_int(pool, "SELECT version FROM schema_versions WHERE module = 'registry'"), 3);
  EXPECT_EQ(query_int(pool, "SELECT version FROM schema_versions WHERE module = 'imports'"), 2);
  EXPECT_EQ(query_int(pool, "SELECT version FROM schema_versions WHERE module = 'access'"), 4);
  // Tags moved before version 3 do not say by whom.
  EXPECT_EQ(query_int(pool, "SELECT count(*) FROM tags WHERE updated_by IS NULL"), 1);

  // The registry.
  EXPECT_EQ(store.list_tags("team/app", "", 10), std::vector<std::string>{"v1"});
  EXPECT_EQ(store.resolve_manifest("team/app", "v1", false).digest, "sha256:mm");
  StoreStats stats = store.stats();
  EXPECT_EQ(stats.blobs, 3u);
  EXPECT_EQ(stats.uploads, 1u);
  EXPECT_EQ(stats.damaged, 1u);
  EXPECT_EQ(store.namespace_bytes("team"), 8u) << "the linked blob and the manifest";
  // Import records.
  auto history = records.list(0, 10);
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].id, 4);
  EXPECT_EQ(history[0].bundle_id, "B1");
  auto mark = records.last_sequence("KEY", "stable");
  ASSERT_TRUE(mark);
  EXPECT_EQ(mark->sequence, 9u);
  EXPECT_EQ(records.begin("c.ferry", 50), 5) << "ids go on";
  // Access.
  ASSERT_EQ(accounts.users().size(), 1u);
  EXPECT_EQ(accounts.users()[0].name, "alice");
  ASSERT_EQ(accounts.tokens().size(), 1u);
  ASSERT_EQ(accounts.grants().size(), 1u);
  EXPECT_EQ(accounts.grants()[0].role, access::Role::kMaintainer);
  EXPECT_EQ(accounts.version(), 17);
  EXPECT_TRUE(accounts.served_beyond_loopback());
  ASSERT_EQ(accounts.audit_log(10).size(), 1u);
  auto policy = access::Policy::load(accounts, false);
  EXPECT_EQ(policy.quota("team/app"), std::optional<uint64_t>(2048));
  EXPECT_TRUE(policy.immutable("team/app", "v2"));
  EXPECT_TRUE(policy.may_import("team/app").allowed);
  EXPECT_TRUE(policy.decide(std::nullopt, access::Action::kPull, "team/app").allowed);
}

TEST_F(SchemaMigrationTest, ReopeningChangesNothingAndANewFileGetsEveryTable) {
  make_legacy_v6();
  for (int i = 0; i < 2; ++i) {
    Store store(StoreOptions{dir_.path(), 4096});
    access::Accounts accounts(store.database());
    ImportRecords records(store.database());
    EXPECT_EQ(accounts.users().size(), 1u);
    EXPECT_EQ(records.list(0, 10).size(), 1u);
  }
  testing::TempDir fresh;
  Store store(StoreOptions{fresh.path(), 4096});
  access::Accounts accounts(store.database());
  ImportRecords records(store.database());
  sql::Pool& pool = store.database();
  EXPECT_EQ(query_int(pool, "SELECT version FROM schema_versions WHERE module = 'legacy'"), 0);
  EXPECT_EQ(query_int(pool, "SELECT version FROM schema_versions WHERE module = 'access'"), 4);
  accounts.add_user("bob", "long enough");
  EXPECT_EQ(records.begin("a.ferry", 1), 1);
  EXPECT_EQ(store.stats().repositories, 0u);
}

TEST_F(SchemaMigrationTest, ADatabaseNewerThanThisBuildIsRefusedUnchanged) {
  {
    sql::Database db(db_path_);
    db.exec("PRAGMA user_version = 8");
  }
  EXPECT_THROW(Store(StoreOptions{dir_.path(), 4096}), std::runtime_error);
  {
    sql::Database db(db_path_);
    db.exec("PRAGMA user_version = 0");
  }
  {
    Store store(StoreOptions{dir_.path(), 4096});
    store.database().acquire()->exec(
        "UPDATE schema_versions SET version = 99 WHERE module = 'registry'");
  }
  try {
    Store store(StoreOptions{dir_.path(), 4096});
    ADD_FAILURE() << "a registry schema from a newer ferryd was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("newer than this build understands"), std::string::npos)
        << e.what();
  }
  sql::Pool pool(db_path_);
  EXPECT_EQ(query_int(pool, "SELECT version FROM schema_versions WHERE module = 'registry'"), 99);
}

}  // namespace
}  // namespace ferry

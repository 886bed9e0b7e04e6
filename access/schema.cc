#include "access/schema.h"

namespace ferry::access {
namespace {

// Version 1 (user_version 4 before per-module versions): access control.
// Passwords are argon2id strings from libsodium; token secrets are random, so a
// SHA-256 of them is enough.
constexpr const char* kSchemaV4 = R"sql(
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

// Version 2 (user_version 5): imports need the namespace's permission once
// users exist (default deny, like pushes): namespaces.import_allowed, set with
// ferryctl namespace set NAME --import on|off. NULL inherits the "*" row's, so
// that giving a namespace a quota does not turn off imports allowed for all.
// access_state.served_beyond_loopback: whether the last `ferryd serve` listened
// beyond loopback, so `ferryd import` run by hand without the service's config
// still knows the box is not the open development default.
constexpr const char* kSchemaV5 = R"sql(
ALTER TABLE namespaces ADD COLUMN import_allowed INTEGER;
ALTER TABLE access_state ADD COLUMN served_beyond_loopback INTEGER NOT NULL DEFAULT 0;
)sql";

// Version 3 (user_version 6): every namespace setting may be unset and then
// follows the "*" row's (access/accounts.h), so giving a namespace a quota
// keeps "*"'s anonymous pull. anonymous_pull loses NOT NULL, which takes a
// rebuild. A quota of -1 and an empty pattern list mean "none here". Rows
// written before kept their meaning: a namespace's row replaced "*"'s as a
// whole, so its unset quota and patterns become "none", and its anonymous pull
// stays as it was.
constexpr const char* kSchemaV6 = R"sql(
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

// Version 4: the web console's logins (docs/console.md, "Sessions"). The
// cookie's value is random (256 bits), so its SHA-256 is what is kept, as for
// tokens. Removing a user removes their sessions (ON DELETE CASCADE, and
// Accounts deletes them explicitly too); a password change deletes them.
constexpr const char* kSchemaSessions = R"sql(
CREATE TABLE sessions (
  id_hash    TEXT PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf       TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_by_user ON sessions(user_id);
)sql";

}  // namespace

const sql::Schema& access_schema() {
  // Before per-module versions, user_version 4, 5 and 6 were these steps.
  static const sql::Schema schema{
      "access", {kSchemaV4, kSchemaV5, kSchemaV6, kSchemaSessions}, {0, 0, 0, 0, 1, 2, 3}};
  return schema;
}

}  // namespace ferry::access

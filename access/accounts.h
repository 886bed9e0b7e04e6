// Who may do what: users with argon2id passwords, robot tokens, roles per
// namespace, per-namespace settings, and the audit log. All of it lives in
// the data dir's SQLite database, so ferryctl changes take
// effect in a running ferryd without a restart. docs/access.md has the model.
// This is the module that owns the tables users, tokens, grants, namespaces,
// access_state and audit: their schema ("access" in schema_versions), their
// migrations and every query of them.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/sql_pool.h"
#include "core/sqlite.h"

namespace ferry::access {

// Ordered: each role can do what the ones before it can.
enum class Role { kReader, kWriter, kMaintainer, kAdmin };
std::optional<Role> parse_role(std::string_view text);
std::string_view role_name(Role role);

enum class AccessErrorKind { kInvalid, kExists, kUnknown };

class AccessError : public std::runtime_error {
 public:
  AccessError(AccessErrorKind kind, const std::string& message)
      : std::runtime_error(message), kind_(kind) {}
  AccessErrorKind kind() const { return kind_; }

 private:
  AccessErrorKind kind_;
};

struct UserRow {
  std::string name;
  int64_t created_at = 0;
};

struct TokenRow {
  std::string id;
  std::string user;
  std::string description;
  int64_t created_at = 0;
  std::optional<int64_t> expires_at;
  std::optional<int64_t> revoked_at;
};

struct NewToken {
  std::string id;
  std::string secret;  // "ferry_<id>_<secret>": shown once, never stored
  std::optional<int64_t> expires_at;
};

struct TokenOwner {
  std::string user;
  std::optional<int64_t> expires_at;  // Unix seconds; none: never
};

struct GrantRow {
  std::string user;
  std::string name_space;
  Role role = Role::kReader;
};

// A storage quota: a limit in bytes, or nullopt for none.
using Quota = std::optional<uint64_t>;

// A namespace's own settings. One left unset follows namespace "*"'s, and
// one unset in "*" too is the default: anonymous pull off, imports off, no
// quota, no immutable tags. So "*" holds the defaults and a namespace
// overrides only what it sets (giving it a quota keeps "*"'s anonymous pull).
struct NamespaceSettings {
  std::optional<bool> anonymous_pull;
  std::optional<bool> import_allowed;  // bundles may publish here (once users exist)
  std::optional<Quota> quota;          // Quota() set here: no quota, whatever "*" says
  // Tag patterns that cannot be overwritten or deleted; empty: none here.
  std::optional<std::vector<std::string>> immutable;
};

struct NamespaceRow {
  std::string name;
  NamespaceSettings settings;
};

enum class NamespaceField { kAnonymousPull, kImport, kQuota, kImmutable };

struct NamespaceChange {
  NamespaceSettings set;                // the settings given take these values
  std::vector<NamespaceField> inherit;  // these follow "*" again
};

struct AuditRow {
  int64_t at = 0;
  std::string actor, action, target, client, result, detail;
};

// A user name, or one component of a namespace: [a-z0-9] then up to 63 of
// [a-z0-9._-].
bool valid_name(std::string_view name);
// "*", or up to 8 valid_name components joined by "/": a namespace is the
// first path component of its repositories, or a configured prefix such as
// "site/line1" (access/policy.h).
bool valid_namespace(std::string_view name);

// "PROGRAM:USER" for the audit log: who ran a local command (ferryctl,
// ferryd import), as the Unix user that started it.
std::string local_actor(std::string_view program);

class Accounts {
 public:
  // Creates or upgrades the access tables (once per pool). Throws
  // sql::migrate's errors.
  explicit Accounts(sql::Pool& pool);

  // Throws AccessError: kInvalid (bad name, password under 8 characters),
  // kExists, kUnknown.
  void add_user(const std::string& name, const std::string& password);
  void set_password(const std::string& name, const std::string& password);
  void remove_user(const std::string& name);  // with its tokens and grants
  std::vector<UserRow> users();
  // Constant time against the stored hash; false for an unknown user too
  // (after the same work, so timing does not tell which).
  bool check_password(const std::string& name, const std::string& password);

  NewToken create_token(const std::string& user, std::optional<int64_t> expires_at,
                        const std::string& description);
  // The token's user when it is known, unexpired and not revoked.
  std::optional<TokenOwner> check_token(std::string_view secret, int64_t now);
  void revoke_token(const std::string& id, int64_t now);
  std::vector<TokenRow> tokens();

  void grant(const std::string& user, const std::string& name_space, Role role);
  void revoke(const std::string& user, const std::string& name_space);
  std::vector<GrantRow> grants();

  void change_namespace(const std::string& name, const NamespaceChange& change);
  // Drops the namespace's settings, so each follows "*" again. Its grants
  // stay (and keep a prefix such as "site/line1" a namespace).
  void remove_namespace(const std::string& name);
  std::vector<NamespaceRow> namespaces();

  // Changes whenever users, tokens, grants or namespaces change.
  int64_t version();

  // What the last `ferryd serve` listened on (set at its start), for the
  // access mode of imports run beside or without it.
  void set_served_beyond_loopback(bool beyond);
  bool served_beyond_loopback();

  void audit(const AuditRow& row);
  // The same, inside a transaction another module opened (an import's
  // row goes with its tags, Store::publish_images).
  void audit(sql::Transaction& tx, const AuditRow& row);
  // Removes entries from before `before` (Unix seconds; 0: none), then the
  // oldest beyond the newest `max_entries` (0: no cap). Returns how many.
  int64_t prune_audit(int64_t before, uint64_t max_entries);
  // Newest first.
  std::vector<AuditRow> audit_log(int64_t limit);

 private:
  int64_t user_id(sql::Database& db, const std::string& name);
  void bump(sql::Database& db);  // inside the change's transaction

  sql::Pool& pool_;
};

}  // namespace ferry::access

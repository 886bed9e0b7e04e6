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
#include <string>
#include <string_view>
#include <vector>

#include "access/admin.h"
#include "access/rows.h"
#include "core/sql_pool.h"
#include "core/sqlite.h"

namespace ferry::access {

// "PROGRAM:USER" for the audit log: who ran a local command (ferryctl,
// ferryd import), as the Unix user that started it.
std::string local_actor(std::string_view program);

// The access tables of the data dir's database; the Admin operations on
// them, and what ferryd asks of them (logins, the audit, the version).
class Accounts final : public Admin {
 public:
  // Creates or upgrades the access tables (once per pool). Throws
  // sql::migrate's errors.
  explicit Accounts(sql::Pool& pool);

  // Throws Error(AccessErrorKind): kInvalid (bad name, password under 8 characters),
  // kExists, kUnknown.
  void add_user(const std::string& name, const std::string& password) override;
  void set_password(const std::string& name, const std::string& password) override;
  void remove_user(const std::string& name) override;  // with its tokens and grants
  std::vector<UserRow> users() override;
  // Constant time against the stored hash; false for an unknown user too
  // (after the same work, so timing does not tell which).
  bool check_password(const std::string& name, const std::string& password);

  NewToken create_token(const std::string& user, std::optional<int64_t> expires_at,
                        const std::string& description);
  // The token's user when it is known, unexpired and not revoked.
  std::optional<TokenOwner> check_token(std::string_view secret, int64_t now);
  void revoke_token(const std::string& id, int64_t now);
  // Admin's: the lifetime counted from now, revoked as of now.
  NewToken create_token(const TokenRequest& request) override;
  void revoke_token(const std::string& id) override;
  std::vector<TokenRow> tokens() override;

  void grant(const std::string& user, const std::string& name_space, Role role) override;
  void revoke(const std::string& user, const std::string& name_space) override;
  std::vector<GrantRow> grants() override;

  void change_namespace(const std::string& name, const NamespaceChange& change) override;
  // Drops the namespace's settings, so each follows "*" again. Its grants
  // stay (and keep a prefix such as "site/line1" a namespace).
  void remove_namespace(const std::string& name) override;
  std::vector<NamespaceRow> namespaces() override;

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
  std::vector<AuditRow> audit_log(int64_t limit) override;
  // Newest first, as `query` filters and pages them.
  std::vector<AuditRow> audit_log(const AuditQuery& query);

  // Web console logins (docs/console.md, "Sessions"). start_session makes
  // one for `user` lasting `ttl_seconds` from `now` (and drops expired
  // ones); throws kUnknown for an unknown user. find_session gives the row
  // of an unexpired session by its cookie value; end_session deletes it
  // (nothing when unknown). set_password and remove_user delete the user's
  // sessions in their own transaction.
  NewSession start_session(const std::string& user, int64_t ttl_seconds, int64_t now);
  std::optional<SessionRow> find_session(std::string_view cookie, int64_t now);
  void end_session(std::string_view cookie);

 private:
  int64_t user_id(sql::Database& db, const std::string& name);
  void bump(sql::Database& db);  // inside the change's transaction

  sql::Pool& pool_;
};

}  // namespace ferry::access

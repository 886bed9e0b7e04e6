// The admin operations on the access model, written once: ferryctl's
// commands and ferryd's admin API (/ferry/v1/) call them. Accounts
// (accounts.h) implements them on the data dir's database; ferryctl's
// RemoteAdmin (ctl/remote_admin.h) through a running ferryd's admin API.
// Who may call them, and the audit of each change, are the caller's.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "access/rows.h"

namespace ferry::access {

// A robot token to make: whose rights it carries, for how long (none:
// until revoked), and what it is for.
struct TokenRequest {
  std::string user;
  std::optional<std::chrono::seconds> lifetime;
  std::string description;
};

class Admin {
 public:
  virtual ~Admin() = default;
  // All throw Error(AccessErrorKind): kInvalid for a refused value (bad name, short
  // password), kExists for a name already there, kUnknown for one that is not.
  virtual void add_user(const std::string& name, const std::string& password) = 0;
  virtual void set_password(const std::string& name, const std::string& password) = 0;
  virtual void remove_user(const std::string& name) = 0;  // with its tokens and grants
  virtual std::vector<UserRow> users() = 0;

  // The new token, its secret shown this once.
  virtual NewToken create_token(const TokenRequest& request) = 0;
  virtual void revoke_token(const std::string& id) = 0;  // from now on
  virtual std::vector<TokenRow> tokens() = 0;

  // A new role replaces the user's old one in the namespace.
  virtual void grant(const std::string& user, const std::string& name_space, Role role) = 0;
  virtual void revoke(const std::string& user, const std::string& name_space) = 0;
  virtual std::vector<GrantRow> grants() = 0;

  virtual void change_namespace(const std::string& name, const NamespaceChange& change) = 0;
  // Drops its settings, so each follows "*" again; its grants stay.
  virtual void remove_namespace(const std::string& name) = 0;
  virtual std::vector<NamespaceRow> namespaces() = 0;

  // The newest `limit` entries, newest first.
  virtual std::vector<AuditRow> audit_log(int64_t limit) = 0;
};

}  // namespace ferry::access

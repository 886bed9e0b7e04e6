// The access model's vocabulary: roles, the rows of its tables, and the
// errors of its operations, shared by Accounts (accounts.h), the Admin
// interface (admin.h) and their JSON (json.h). docs/access.md has the model.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace ferry::access {

// Ordered: each role can do what the ones before it can.
enum class Role { kReader, kWriter, kMaintainer, kAdmin };
std::optional<Role> parse_role(std::string_view text);
std::string_view role_name(Role role);

// Why an access change was refused: the access domain of ferry::Error. The
// admin API answers 400, 409 and 404 (daemon/api/errors.cc); ferryctl exits
// 2, 8 and 9 (ctl/commands.cc).
enum class AccessErrorKind {
  kInvalid,  // a refused value: bad name, short password, unknown role
  kExists,   // the user or token is already there
  kUnknown,  // no such user, token or grant
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
// The largest quota accepted (1 EiB): a larger number is refused, not taken
// as "none" (stored as a signed integer) or left to wrap in sums.
constexpr uint64_t kMaxQuota = uint64_t{1} << 60;
// The longest robot-token lifetime accepted (100 years, in seconds), so an
// expiry time never wraps.
constexpr int64_t kMaxTokenLifetime = int64_t{100} * 365 * 24 * 3600;

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
  int64_t id = 0;  // its place in the log (read back; ignored when written)
};

// Which audit entries to read (Accounts::audit_log): newest first, at most
// `limit`, with an id below `before` (0: from the newest); each filter that
// is set must match exactly ("namespace": the target's first component,
// what comes before its first '/', ':' or ' ').
struct AuditQuery {
  int64_t limit = 50;
  int64_t before = 0;
  std::optional<std::string> actor, action, name_space, result;
};

// A web console login (docs/console.md): its user, the CSRF token that every
// change it makes must carry, and when it ends (Unix seconds).
struct SessionRow {
  std::string user;
  std::string csrf;
  int64_t expires_at = 0;
};

// A new session: the cookie's value (shown once; only its SHA-256 is kept)
// and the row.
struct NewSession {
  std::string cookie;
  SessionRow row;
};

// A user name, or one component of a namespace: [a-z0-9] then up to 63 of
// [a-z0-9._-].
bool valid_name(std::string_view name);
// "*", or up to 8 valid_name components joined by "/": a namespace is the
// first path component of its repositories, or a configured prefix such as
// "site/line1" (access/policy.h).
bool valid_namespace(std::string_view name);

}  // namespace ferry::access

template <>
struct ferry::ErrorDomainOf<ferry::access::AccessErrorKind> {
  static constexpr ErrorDomain value = ErrorDomain::kAccess;
};

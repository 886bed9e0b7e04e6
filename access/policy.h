// The decision "may this caller do this to that repository", made from a
// snapshot of the access tables (access/accounts.h). Pure: no I/O after
// load(), so ferryd can take a fresh snapshot when the tables change and
// decide every request without a query. docs/access.md gives the rules.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "access/accounts.h"

namespace ferry::access {

enum class Action {
  kPull,
  kPush,    // blobs, and manifests under a new tag or by digest
  kRetag,   // move an existing tag to another manifest
  kDelete,  // manifests, tags, blobs
};

// Who decides, from the listen address and whether any user exists
// (docs/access.md, "Safe defaults"):
//   open      no users and loopback only, or auth.open: everything allowed;
//   locked    no users and listening beyond loopback: pulls only;
//   enforced  users exist: the rules below.
enum class Mode { kOpen, kLocked, kEnforced };
Mode mode_of(bool auth_open, bool loopback, bool has_users);

struct Decision {
  bool allowed = false;
  bool need_login = false;  // refused because the caller is anonymous (401, not 403)
  std::string reason;       // for the error message when refused
};

class Policy {
 public:
  // open: everything is allowed to everyone (the development default with
  // no users on loopback, or `auth.open`); immutable tags still hold.
  static Policy load(Accounts& accounts, bool open);

  // The repository's namespace: the longest configured namespace (one with
  // settings or grants) that is the repository or a path prefix of it, else
  // its first path component.
  std::string namespace_of(std::string_view repository) const;
  // The configured namespaces with more than one component ("site/line1").
  std::vector<std::string> prefixes() const;
  // For a listing in byte order of repository names (OCI names: [a-z0-9._/-]):
  // a key K >= `repository` such that every name N with repository < N <= K
  // is in the same namespace as `repository`, so one pull decision covers
  // them all and a listing that may not show `repository` resumes after K.
  // K skips the rest of the namespace's "NS/..." names, stopping short of
  // any configured sub-namespace ("site/line1" inside "site").
  std::string namespace_end(std::string_view repository) const;

  // user is empty for an anonymous caller.
  Decision decide(const std::optional<std::string>& user, Action action,
                  std::string_view repository) const;
  // True when the tag matches one of its namespace's immutable patterns.
  bool immutable(std::string_view repository, std::string_view tag) const;
  std::optional<uint64_t> quota(std::string_view repository) const;
  // Whether a bundle may publish into the repository once users exist: its
  // namespace (or "*") has import on. Imports are not HTTP requests; the
  // trust store of signers vets the bundle, this vets where it lands.
  Decision may_import(std::string_view repository) const;
  bool has_users() const { return has_users_; }
  // Holds the admin role in namespace "*": may change users, tokens, roles
  // and namespaces, and read the audit log, through the admin API.
  bool is_admin(const std::string& user) const;
  // The namespaces in which the user holds the admin role, sorted.
  std::vector<std::string> administered_by(const std::string& user) const;

 private:
  // One setting of the namespace: its own, else "*"'s, else nullopt.
  template <typename T>
  std::optional<T> setting(const std::string& name_space,
                           std::optional<T> NamespaceSettings::*field) const;
  std::optional<Role> role(const std::string& user, const std::string& name_space) const;

  bool open_ = false;
  bool has_users_ = false;
  std::map<std::string, NamespaceSettings> namespaces_;
  std::map<std::pair<std::string, std::string>, Role> grants_;  // (user, namespace)
  std::vector<std::string> prefixes_;  // multi-component namespaces, longest first
};

}  // namespace ferry::access

// Who is calling and what they may do, for every request (docs/access.md).
// Credentials come as a short-lived bearer token from the built-in token
// endpoint (what docker, podman, containerd and skopeo do after a Bearer
// challenge), or as HTTP Basic: a user's password, or one of their robot
// tokens. What a caller may do is decided by access::Rules (access/rules.h),
// the same rules the importer and GC ask; the gate only says who is calling
// and turns a refusal into 401 or 403. Failed logins are throttled per
// client address and per user name.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "access/accounts.h"
#include "access/bearer.h"
#include "access/policy.h"
#include "access/rules.h"
#include "base/error.h"
#include "core/store.h"
#include "daemon/http/forwarded.h"
#include "daemon/http/request.h"

namespace ferry::api {

// Bounds on open upload sessions (docs/configuration.md, [uploads]); 0 is
// no bound.
struct UploadLimits {
  uint64_t sessions_per_user = 0;
  uint64_t sessions_per_namespace = 0;
  uint64_t bytes_per_user = 0;           // bytes their open sessions hold
  uint64_t bytes_per_namespace = 0;      // bytes open sessions and writes in flight hold
  std::chrono::seconds expire_after{0};  // named in refusals
};

struct GateOptions {
  bool open = false;      // auth.open: everything allowed to everyone
  bool loopback = true;   // listening on loopback only
  std::string token_key;  // the Ed25519 seed that signs bearer tokens
  std::chrono::seconds token_ttl{300};
  // The scheme and host of the token endpoint in challenges, and the
  // client's address behind trusted proxies (daemon/http/forwarded.h).
  http::Forwarding forwarding;
  UploadLimits uploads{};
  // How long a console login lasts ([ui] session_ttl, docs/console.md).
  std::chrono::seconds session_ttl{12 * 3600};
};

struct Caller {
  std::optional<std::string> user;             // empty: anonymous
  std::string address;                         // the client's, through trusted proxies
  std::string realm;                           // the token endpoint as this client reaches it
  std::optional<access::BearerClaims> bearer;  // when it came with a bearer token
  std::optional<access::SessionRow> session;   // when it came with the console's cookie
};

// The value of the console's session cookie (ferry_session) in the Cookie
// header; nullopt when there is none.
std::optional<std::string> session_cookie(const http::Request& req);

// Whose open upload sessions a caller's count against: the user's, or an
// anonymous caller's address ("client 10.0.0.7").
std::string writer_of(const Caller& caller);

// Everything, for an admin of namespace "*" (or anyone in the open
// development default: loopback, no users); else the namespaces in which
// the caller holds the admin role, whose roles and settings (but not the
// quota) they manage, as Harbor's project admins do.
struct AdminScope {
  bool everything = false;
  std::string user;
  std::vector<std::string> namespaces;

  bool covers(std::string_view name_space) const;
  // Throws DENIED unless the scope is everything, naming `what` it was for.
  void require_everything(std::string_view what) const;
};

class Gate {
 public:
  // Throws when the token signing key cannot be read or made, or the access
  // tables cannot be read (access::Rules).
  Gate(Store& store, GateOptions options);

  // Throws Error::unauthorized for bad or malformed credentials and TOOMANYREQUESTS
  // while a client or user is throttled after failed logins. Without an
  // Authorization header, the console's session cookie (docs/console.md):
  // an unknown or expired one is anonymous for GET and HEAD and refused
  // (unauthorized) otherwise; a change made with a valid one must carry the
  // session's X-Ferry-CSRF token and, when the request has an Origin, come
  // from this server's origin (else DENIED). Logging in and out
  // (POST and DELETE /ferry/v1/session) ignore an unknown cookie; logging in
  // checks the Origin too.
  Caller authenticate(const http::Request& req);
  // A console session for the logged-in caller, lasting session_ttl.
  // Throws Error::unauthorized for an anonymous caller.
  access::NewSession start_session(const Caller& caller);
  void end_session(std::string_view cookie);
  std::chrono::seconds session_ttl() const { return options_.session_ttl; }
  // "scheme://host[:port]": this server as the client reaches it.
  std::string origin_of(const http::Request& req) const;
  // Checks a user name and a password or robot token as HTTP Basic does,
  // with the same throttling and audit, for the OAuth2 token request
  // (daemon/api/token.h). Returns the caller logged in as that user, or as
  // they were unless the rules are enforced (there is nobody to check).
  Caller log_in(Caller caller, const std::string& user, const std::string& secret);
  // Throws Error::unauthorized (must log in, or fetch a token with this scope) or
  // DENIED (403).
  void require(const Caller& caller, access::Action action, std::string_view repository);
  bool allowed(const Caller& caller, access::Action action, std::string_view repository);
  // Refuses (DENIED) a write of `incoming` bytes that would take the
  // repository's namespace over its quota (Rules::within_quota).
  void check_quota(std::string_view repository, uint64_t incoming);
  // The upload ledger's Admit (core/upload_ledger.h) for writes into the
  // repository: refuses TOOMANYREQUESTS (429) past the limits on open
  // sessions (GateOptions::uploads), and DENIED (403) when stored content
  // plus what open uploads and writes in flight hold plus `want.adds` would
  // go over the namespace's quota.
  void admit_write(std::string_view repository, const UploadLedger::View& view,
                   const UploadLedger::Want& want);
  // Refuses (DENIED) moving an immutable tag from `from` to `to`, or
  // deleting it when `to` is empty (Rules::may_move_tag).
  void check_tag_change(std::string_view repository, std::string_view tag, std::string_view from,
                        std::string_view to);
  // What the caller may do through the admin API (/ferry/v1/ users,
  // tokens, grants, namespaces, audit, status). Throws Error::unauthorized, or
  // DENIED when they administer nothing.
  AdminScope admin_scope(const Caller& caller);
  // Re-reads the access tables on the next request (after an admin change).
  void refresh();
  // Whether /v2/ should ask an anonymous caller to log in.
  bool login_required();
  // The challenge for a caller that must (re)authenticate, naming `scope`
  // ("repository:NAME:pull,push") when known.
  std::string challenge(const Caller& caller, const std::string& scope = "") const;
  // GET /ferry/v1/token: a bearer token for what the caller may do of what
  // the scopes ask, as the JSON the token flow expects.
  std::string issue_token(const Caller& caller, const std::vector<std::string>& scopes);

  void audit(const Caller& caller, std::string_view action, std::string_view target,
             std::string_view result, std::string_view detail);
  // The rules this gate asks, for the other writers of the same process
  // (the import inbox, scheduled GC).
  access::Rules& rules() { return rules_; }

 private:
  using Mode = access::Mode;
  using Snapshot = access::Rules::Snapshot;
  struct Throttle {
    int failures = 0;
    std::chrono::steady_clock::time_point until{};
  };

  // Refuses (DENIED) writes whose Origin names another site, and, in the
  // open development default, any request whose Host is not a loopback name.
  void refuse_other_sites(const http::Request& req, const std::string& origin);
  std::optional<std::string> check_credentials(const std::string& user, const std::string& secret,
                                               int64_t version);
  void throttle_check(const std::string& key, const char* what);
  void record_failure(const std::string& key);
  std::optional<access::BearerClaims> verify_bearer(const std::string& token);
  // log_in's work, for an enforced snapshot the caller already holds.
  Caller log_in(const Snapshot& snap, Caller caller, const std::string& user,
                const std::string& secret);
  [[noreturn]] void login_failed(const Caller& caller, const std::string& who);
  // authenticate's part for the session cookie.
  Caller with_session(const http::Request& req, Caller caller, const std::string& origin);

  Store& store_;
  GateOptions options_;
  access::BearerKeys keys_;
  access::Accounts accounts_;
  access::Rules rules_;
  std::mutex mu_;
  // sha256(user, secret) of recent successful logins, so argon2id runs once
  // per client session instead of once per request; cleared on any change.
  std::unordered_map<std::string, std::pair<std::string, std::chrono::steady_clock::time_point>>
      verified_;
  int64_t verified_version_ = -1;
  // Bearer tokens whose signature checked out, until they expire: a client
  // sends the same one on every request of a pull. The rules are still
  // applied to their claims on each request.
  std::unordered_map<std::string, access::BearerClaims> bearers_;
  std::unordered_map<std::string, Throttle> throttles_;  // "addr:.." and "user:.."
};

}  // namespace ferry::api

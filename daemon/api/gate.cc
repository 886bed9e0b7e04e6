#include "daemon/api/gate.h"

#include <sodium.h>
#include <strings.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "core/digest.h"
#include "core/json_strict.h"
#include "core/units.h"
#include "runtime/listen.h"
#include "runtime/log.h"
#include "signing/text_format.h"

namespace ferry::api {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kVerifiedFor = std::chrono::minutes(10);
// Bearer tokens are a few hundred bytes; a longer one is checked each time.
constexpr size_t kMaxCachedBearer = 4096;
constexpr int kFreeFailures = 5;  // then 1 s, 2 s, 4 s ... of refusal
constexpr int kMaxBackoffSeconds = 300;
constexpr size_t kMaxThrottles = 10000;

int64_t now_unix() {
  return static_cast<int64_t>(std::time(nullptr));
}

using access::Action;

std::string scope_action(Action action) {
  switch (action) {
    case Action::kPull: return "pull";
    case Action::kPush:
    case Action::kRetag: return "push";
    case Action::kDelete: return "delete";
  }
  return "pull";
}

std::string scope_of(std::string_view repository, Action action) {
  return "repository:" + std::string(repository) + ":" + scope_action(action);
}

constexpr std::string_view kSessionCookie = "ferry_session";
constexpr const char* kCsrfHeader = "X-Ferry-CSRF";

// Refuses a request whose Origin header names another site.
void check_origin(const http::Request& req, const std::string& origin) {
  auto sent = req.header("Origin");
  if (!sent || *sent == origin) return;
  throw Error(ErrorCode::kDenied, "the request comes from origin '" + sent->substr(0, 200) +
                                      "', not from this server's (" + origin +
                                      "); use the console served by this server");
}

// Whether a Host header names this machine's loopback: localhost, or a
// loopback address (is_loopback_host, runtime/listen.h), with or without a
// port (none sent: HTTP/1.0).
bool loopback_host(const std::optional<std::string>& host) {
  if (!host) return true;
  std::string_view h = *host;
  if (h.starts_with("[")) return is_loopback_host(h.substr(0, h.find(']') + 1));
  return is_loopback_host(h.substr(0, h.find(':')));
}

bool same_secret(const std::string& a, const std::string& b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

Gate::Gate(Store& store, GateOptions options)
    : store_(store),
      options_(std::move(options)),
      keys_(access::BearerKeys::load_or_create(options_.token_key)),
      accounts_(store.database()),
      rules_(store.database(),
             access::RulesOptions{options_.open, options_.loopback, [](const std::string& why) {
                                    log::warn("access rules not reloaded, using the last ones: " +
                                              why);
                                  }}) {}

std::string Gate::challenge(const Caller& caller, const std::string& scope) const {
  std::string c = "Bearer realm=\"" + caller.realm + "\",service=\"ferry\"";
  if (!scope.empty()) c += ",scope=\"" + scope + "\"";
  return c;
}

std::string Gate::issue_token(const Caller& caller, const std::vector<std::string>& scopes) {
  int64_t now = now_unix();
  access::BearerClaims claims{caller.user.value_or(""), now, now + options_.token_ttl.count(), {}};
  for (const auto& param : scopes) {
    // One scope per parameter, or several separated by spaces.
    size_t start = 0;
    while (start < param.size()) {
      size_t space = param.find(' ', start);
      if (space == std::string::npos) space = param.size();
      auto asked = access::parse_scope(param.substr(start, space - start));
      start = space + 1;
      if (!asked) continue;
      access::Grant granted{asked->repository, {}};
      for (const auto& name : asked->actions) {
        std::vector<Action> needs;
        if (name == "pull") needs = {Action::kPull};
        if (name == "push") needs = {Action::kPush};
        if (name == "delete") needs = {Action::kDelete};
        if (name == "*") needs = {Action::kPull, Action::kPush, Action::kDelete};
        bool ok = !needs.empty();
        for (Action a : needs) ok = ok && allowed(caller, a, granted.repository);
        if (ok) granted.actions.insert(name);
      }
      if (!granted.actions.empty()) claims.grants.push_back(std::move(granted));
    }
  }
  std::string token = keys_.issue(claims);
  nlohmann::json out{{"token", token},
                     {"access_token", token},
                     {"expires_in", options_.token_ttl.count()},
                     {"issued_at", format_utc(now)}};
  return json_text(out);
}

void Gate::throttle_check(const std::string& key, const char* what) {
  std::lock_guard lock(mu_);
  auto it = throttles_.find(key);
  if (it == throttles_.end() || it->second.until <= Clock::now()) return;
  auto wait = std::chrono::duration_cast<std::chrono::seconds>(it->second.until - Clock::now());
  throw Error(ErrorCode::kTooManyRequests, std::string("too many failed logins for this ") + what +
                                               "; try again in " +
                                               std::to_string(wait.count() + 1) + " s");
}

void Gate::record_failure(const std::string& key) {
  std::lock_guard lock(mu_);
  if (throttles_.size() > kMaxThrottles) {
    std::erase_if(throttles_, [](const auto& t) { return t.second.until <= Clock::now(); });
  }
  Throttle& t = throttles_[key];
  if (++t.failures > kFreeFailures) {
    int seconds = 1 << std::min(t.failures - kFreeFailures - 1, 9);
    t.until = Clock::now() + std::chrono::seconds(std::min(seconds, kMaxBackoffSeconds));
  }
}

std::optional<std::string> Gate::check_credentials(const std::string& user,
                                                   const std::string& secret, int64_t version) {
  std::string key = digest_of(user + '\0' + secret).hex();
  {
    std::lock_guard lock(mu_);
    if (verified_version_ != version) {
      verified_.clear();
      verified_version_ = version;
    }
    auto it = verified_.find(key);
    if (it != verified_.end() && it->second.second > Clock::now()) return it->second.first;
  }
  auto until = Clock::now() + kVerifiedFor;
  if (secret.rfind("ferry_", 0) == 0) {
    // A robot token: a query and a SHA-256, cached like a password, but
    // never past the token's expiry (revoking it changes the version).
    int64_t now = now_unix();
    auto owner = accounts_.check_token(secret, now);
    if (!owner || owner->user != user) return std::nullopt;
    if (owner->expires_at) {
      until = std::min(until, Clock::now() + std::chrono::seconds(*owner->expires_at - now));
    }
  } else {
    // argon2id: tens of milliseconds, on purpose; not under the lock.
    if (!accounts_.check_password(user, secret)) return std::nullopt;
  }
  std::lock_guard lock(mu_);
  if (verified_.size() > kMaxThrottles) verified_.clear();
  verified_[key] = {user, until};
  return user;
}

std::optional<access::BearerClaims> Gate::verify_bearer(const std::string& token) {
  int64_t now = now_unix();
  {
    std::lock_guard lock(mu_);
    if (auto it = bearers_.find(token); it != bearers_.end()) {
      if (now < it->second.expires_at) return it->second;
      bearers_.erase(it);
      return std::nullopt;
    }
  }
  auto claims = keys_.verify(token, now);
  if (claims && token.size() <= kMaxCachedBearer) {
    std::lock_guard lock(mu_);
    if (bearers_.size() >= kMaxThrottles) bearers_.clear();
    bearers_.emplace(token, *claims);
  }
  return claims;
}

void Gate::login_failed(const Caller& caller, const std::string& who) {
  record_failure("addr:" + caller.address);
  if (!who.empty()) record_failure("user:" + who);
  audit(caller, "login", who.substr(0, 64), "failed", "wrong user name, password or token");
  throw Error::unauthorized("wrong user name, password or token", challenge(caller));
}

Caller Gate::authenticate(const http::Request& req) {
  http::ExternalView view = http::external_view(req, options_.forwarding);
  Caller caller{std::nullopt, std::move(view.client_address), view.origin + "/ferry/v1/token",
                std::nullopt, std::nullopt};
  refuse_other_sites(req, view.origin);
  auto header = req.header("Authorization");
  if (!header) return with_session(req, std::move(caller), view.origin);
  auto snap = rules_.snapshot();
  // Only enforced rules have users whose credentials could be checked.
  if (snap->mode != Mode::kEnforced) return caller;
  if (header->size() > 7 && strncasecmp(header->c_str(), "Bearer ", 7) == 0) {
    throttle_check("addr:" + caller.address, "client address");
    auto claims = verify_bearer(header->substr(7));
    if (!claims) {
      record_failure("addr:" + caller.address);
      audit(caller, "login", "bearer token", "failed", "invalid or expired bearer token");
      throw Error::unauthorized("the bearer token is invalid or has expired; log in again",
                                challenge(caller));
    }
    if (!claims->user.empty()) caller.user = claims->user;
    caller.bearer = std::move(*claims);
    return caller;
  }
  if (header->size() < 6 || strncasecmp(header->c_str(), "Basic ", 6) != 0) {
    throw Error::unauthorized(
        "this registry takes a bearer token from its token endpoint, or HTTP Basic "
        "credentials (a password or a robot token)",
        challenge(caller));
  }
  auto decoded = signing::decode_base64(header->substr(6));
  // Empty credentials (some clients send "Basic Og==", or nothing after it)
  // are an anonymous caller, not a failed login.
  if (decoded && (decoded->empty() || *decoded == ":")) return caller;
  auto colon = decoded ? decoded->find(':') : std::string::npos;
  if (!decoded || colon == std::string::npos || colon == 0) {
    throw Error::unauthorized(
        "malformed Authorization header: expected Basic base64(user:password)", challenge(caller));
  }
  return log_in(*snap, std::move(caller), decoded->substr(0, colon), decoded->substr(colon + 1));
}

std::optional<std::string> session_cookie(const http::Request& req) {
  auto header = req.header("Cookie");
  if (!header) return std::nullopt;
  std::string_view rest = *header;
  while (!rest.empty()) {
    auto semi = rest.find(';');
    std::string_view pair = rest.substr(0, semi);
    rest = semi == std::string_view::npos ? "" : rest.substr(semi + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == kSessionCookie) {
      return std::string(pair.substr(eq + 1));
    }
  }
  return std::nullopt;
}

void Gate::refuse_other_sites(const http::Request& req, const std::string& origin) {
  // Browsers send Origin with every cross-site write, and may attach saved
  // Basic credentials or the session cookie to it: refused whatever it carries.
  if (req.method() != "GET" && req.method() != "HEAD") check_origin(req, origin);
  // DNS rebinding: in the open development default (loopback, no users) a
  // page on another site could reach this server under that site's name,
  // with its Origin matching; answer only to loopback names then (unless a
  // public_url or trusted proxies say what the server is called).
  if (!options_.open && options_.forwarding.public_url.empty() &&
      options_.forwarding.trusted_proxies.empty() && rules_.snapshot()->mode == Mode::kOpen &&
      !loopback_host(req.header("Host"))) {
    throw Error(ErrorCode::kDenied,
                "the Host header names '" + req.header("Host")->substr(0, 100) +
                    "': with no users yet this registry answers only on loopback names "
                    "(localhost, 127.0.0.1, [::1]); set [http] public_url, or add a user");
  }
}

Caller Gate::with_session(const http::Request& req, Caller caller, const std::string& origin) {
  const bool reads = req.method() == "GET" || req.method() == "HEAD";
  const bool session_path = req.path() == "/ferry/v1/session";
  // A login ignores any old cookie (the browser may hold one that ended);
  // SameSite does not stop a forged login, so its Origin is checked.
  if (session_path && req.method() == "POST") {
    check_origin(req, origin);
    return caller;
  }
  auto cookie = session_cookie(req);
  if (!cookie || rules_.snapshot()->mode != Mode::kEnforced) return caller;
  auto row = accounts_.find_session(*cookie, now_unix());
  if (!row) {
    if (reads || session_path) return caller;
    throw Error::unauthorized(
        "the console session has expired or ended (logout, password change or user removed); "
        "log in again",
        challenge(caller));
  }
  if (!reads) {
    auto token = req.header(kCsrfHeader);
    if (!token) {
      throw Error(ErrorCode::kDenied,
                  "missing X-Ferry-CSRF header: a change made with the console's session "
                  "cookie must carry the session's CSRF token (from /ferry/v1/session)");
    }
    if (!same_secret(*token, row->csrf)) {
      throw Error(ErrorCode::kDenied,
                  "the X-Ferry-CSRF header does not match this session's token; reload the "
                  "console");
    }
    check_origin(req, origin);
  }
  caller.user = row->user;
  caller.session = std::move(*row);
  return caller;
}

access::NewSession Gate::start_session(const Caller& caller) {
  if (!caller.user) throw Error::unauthorized("log in first", challenge(caller));
  return accounts_.start_session(*caller.user, options_.session_ttl.count(), now_unix());
}

void Gate::end_session(std::string_view cookie) {
  accounts_.end_session(cookie);
}

std::string Gate::origin_of(const http::Request& req) const {
  return http::external_view(req, options_.forwarding).origin;
}

Caller Gate::log_in(Caller caller, const std::string& user, const std::string& secret) {
  auto snap = rules_.snapshot();
  if (snap->mode != Mode::kEnforced) return caller;
  return log_in(*snap, std::move(caller), user, secret);
}

Caller Gate::log_in(const Snapshot& snap, Caller caller, const std::string& user,
                    const std::string& secret) {
  throttle_check("addr:" + caller.address, "client address");
  throttle_check("user:" + user, "user");
  if (auto who = check_credentials(user, secret, snap.version)) {
    std::lock_guard lock(mu_);
    throttles_.erase("user:" + user);
    caller.user = *who;
    return caller;
  }
  login_failed(caller, user);
}

bool Gate::allowed(const Caller& caller, Action action, std::string_view repository) {
  return rules_.may(caller.user, action, repository).allowed;
}

void Gate::require(const Caller& caller, Action action, std::string_view repository) {
  auto d = rules_.may(caller.user, action, repository);
  if (!d.allowed) {
    if (d.need_login)
      throw Error::unauthorized(d.reason, challenge(caller, scope_of(repository, action)));
    throw Error(ErrorCode::kDenied, d.reason);
  }
  // A bearer token must also cover it: otherwise the client fetches one that does.
  if (caller.bearer && rules_.snapshot()->mode == Mode::kEnforced &&
      !caller.bearer->allows(std::string(repository), scope_action(action))) {
    throw Error::unauthorized(
        "the token does not cover " + scope_of(repository, action) + "; fetch one that does",
        challenge(caller, scope_of(repository, action)));
  }
}

void Gate::check_quota(std::string_view repository, uint64_t incoming) {
  auto d = rules_.within_quota(repository, [&](const std::string& ns) {
    return access::NamespaceUse{store_.namespace_bytes(ns), incoming};
  });
  if (!d.allowed) throw Error(ErrorCode::kDenied, d.reason);
}

void Gate::check_tag_change(std::string_view repository, std::string_view tag,
                            std::string_view from, std::string_view to) {
  auto d = rules_.may_move_tag(repository, tag, from, to);
  if (!d.allowed) throw Error(ErrorCode::kDenied, d.reason);
}

bool AdminScope::covers(std::string_view name_space) const {
  return everything ||
         std::find(namespaces.begin(), namespaces.end(), name_space) != namespaces.end();
}

void AdminScope::require_everything(std::string_view what) const {
  if (everything) return;
  std::string held;
  for (const auto& ns : namespaces) held += (held.empty() ? "'" : ", '") + ns + "'";
  throw Error(ErrorCode::kDenied, std::string(what) + " needs the admin role in namespace '*'; " +
                                      "user '" + user + "' is an admin of namespace" +
                                      (namespaces.size() > 1 ? "s " : " ") + held + " only");
}

AdminScope Gate::admin_scope(const Caller& caller) {
  auto snap = rules_.snapshot();
  switch (snap->mode) {
    case Mode::kOpen:
      // Loopback, no users yet: the development default.
      if (!options_.open) return AdminScope{true, caller.user.value_or("anonymous"), {}};
      throw Error(ErrorCode::kDenied,
                  "auth.open opens the registry, not its administration; run ferryctl "
                  "--data-dir on the registry's host");
    case Mode::kLocked:
      throw Error(ErrorCode::kDenied,
                  "no users are defined; create the first admin on the registry's host: "
                  "ferryctl --data-dir DIR user add NAME, then ferryctl grant NAME '*' admin");
    case Mode::kEnforced: break;
  }
  if (!caller.user) throw Error::unauthorized("log in as an admin", challenge(caller));
  // Bearer tokens carry repository scopes only; administration takes the
  // admin's own credentials.
  if (caller.bearer) {
    throw Error::unauthorized(
        "a bearer token does not cover the admin API; send HTTP Basic credentials (a password "
        "or a robot token)",
        challenge(caller));
  }
  AdminScope scope{snap->policy.is_admin(*caller.user), *caller.user,
                   snap->policy.administered_by(*caller.user)};
  if (!scope.everything && scope.namespaces.empty()) {
    throw Error(ErrorCode::kDenied, "user '" + *caller.user +
                                        "' is not an admin (the admin role in namespace '*', or "
                                        "in a namespace for its roles and settings); an admin "
                                        "can grant it: ferryctl grant " +
                                        *caller.user + " '*' admin");
  }
  return scope;
}

void Gate::refresh() {
  rules_.refresh();
}

bool Gate::login_required() {
  return rules_.snapshot()->mode == Mode::kEnforced;
}

void Gate::audit(const Caller& caller, std::string_view action, std::string_view target,
                 std::string_view result, std::string_view detail) {
  try {
    accounts_.audit({now_unix(), caller.user.value_or("anonymous"), std::string(action),
                     std::string(target), caller.address, std::string(result),
                     std::string(detail)});
  } catch (const std::exception& e) {
    log::warn(std::string("audit log not written: ") + e.what());
  }
}

}  // namespace ferry::api

#include "daemon/api/gate.h"

#include <sodium.h>
#include <strings.h>

#include <ctime>

#include "core/digest.h"
#include "core/units.h"
#include "daemon/log.h"

namespace ferry::api {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kReloadEvery = std::chrono::seconds(1);
constexpr auto kVerifiedFor = std::chrono::minutes(10);
constexpr int kFreeFailures = 5;  // then 1 s, 2 s, 4 s ... of refusal
constexpr int kMaxBackoffSeconds = 300;
constexpr size_t kMaxThrottles = 10000;

int64_t now_unix() {
  return static_cast<int64_t>(std::time(nullptr));
}

std::optional<std::string> base64_decode(const std::string& text) {
  std::string out(text.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

}  // namespace

std::shared_ptr<const Gate::Snapshot> Gate::snapshot() {
  std::lock_guard lock(mu_);
  auto now = Clock::now();
  if (snapshot_ && now - checked_ < kReloadEvery) return snapshot_;
  checked_ = now;
  try {
    store_.with_database([&](sql::Database& db) {
      int64_t version = access::Accounts(db).version();
      if (snapshot_ && snapshot_->version == version) return;
      auto next = std::make_shared<Snapshot>();
      next->version = version;
      next->policy = access::Policy::load(db, options_.open);
      if (options_.open) {
        next->mode = Mode::kOpen;
      } else if (!next->policy.has_users()) {
        next->mode = options_.loopback ? Mode::kOpen : Mode::kLocked;
      } else {
        next->mode = Mode::kEnforced;
      }
      snapshot_ = std::move(next);
    });
  } catch (const std::exception& e) {
    if (!snapshot_) throw;  // never decide without rules
    log::warn(std::string("access rules not reloaded, using the last ones: ") + e.what());
  }
  return snapshot_;
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
  if (secret.rfind("ferry_", 0) == 0) {
    auto owner = store_.with_database(
        [&](sql::Database& db) { return access::Accounts(db).check_token(secret, now_unix()); });
    if (owner && *owner == user) return owner;
    return std::nullopt;
  }
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
  // argon2id: tens of milliseconds, on purpose; not under the lock.
  bool ok = store_.with_database(
      [&](sql::Database& db) { return access::Accounts(db).check_password(user, secret); });
  if (!ok) return std::nullopt;
  std::lock_guard lock(mu_);
  if (verified_.size() > kMaxThrottles) verified_.clear();
  verified_[key] = {user, Clock::now() + kVerifiedFor};
  return user;
}

Caller Gate::authenticate(const http::Request& req) {
  Caller caller{std::nullopt, req.client_address()};
  auto header = req.header("Authorization");
  if (!header) return caller;
  auto snap = snapshot();
  // Only enforced rules have users whose credentials could be checked.
  if (snap->mode != Mode::kEnforced) return caller;
  if (header->size() < 6 || strncasecmp(header->c_str(), "Basic ", 6) != 0) {
    throw Unauthorized("this registry takes HTTP Basic credentials (a password or a robot token)");
  }
  auto decoded = base64_decode(header->substr(6));
  // Empty credentials (some clients send "Basic Og==", or nothing after it)
  // are an anonymous caller, not a failed login.
  if (decoded && (decoded->empty() || *decoded == ":")) return caller;
  auto colon = decoded ? decoded->find(':') : std::string::npos;
  if (!decoded || colon == std::string::npos || colon == 0) {
    throw Unauthorized("malformed Authorization header: expected Basic base64(user:password)");
  }
  std::string user = decoded->substr(0, colon);
  std::string secret = decoded->substr(colon + 1);
  throttle_check("addr:" + caller.address, "client address");
  throttle_check("user:" + user, "user");
  if (auto who = check_credentials(user, secret, snap->version)) {
    std::lock_guard lock(mu_);
    throttles_.erase("user:" + user);
    caller.user = *who;
    return caller;
  }
  record_failure("addr:" + caller.address);
  record_failure("user:" + user);
  audit(caller, "login", user.substr(0, 64), "failed", "wrong user name, password or token");
  throw Unauthorized("wrong user name, password or token");
}

bool Gate::allowed(const Caller& caller, access::Action action, std::string_view repository) {
  auto snap = snapshot();
  switch (snap->mode) {
    case Mode::kOpen: return true;
    case Mode::kLocked: return action == access::Action::kPull;
    case Mode::kEnforced: return snap->policy.decide(caller.user, action, repository).allowed;
  }
  return false;
}

void Gate::require(const Caller& caller, access::Action action, std::string_view repository) {
  auto snap = snapshot();
  if (snap->mode == Mode::kOpen) return;
  if (snap->mode == Mode::kLocked) {
    if (action == access::Action::kPull) return;
    throw Error(ErrorCode::kDenied,
                "pushes and deletes are refused: no users are defined and ferryd listens beyond "
                "loopback; create one (ferryctl user add NAME, then ferryctl grant) or set "
                "auth.open = true");
  }
  auto d = snap->policy.decide(caller.user, action, repository);
  if (d.allowed) return;
  if (d.need_login) throw Unauthorized(d.reason);
  throw Error(ErrorCode::kDenied, d.reason);
}

void Gate::check_quota(std::string_view repository, uint64_t incoming) {
  auto quota = snapshot()->policy.quota(repository);
  if (!quota) return;
  std::string ns = access::Policy::namespace_of(repository);
  uint64_t used = store_.namespace_bytes(ns);
  if (used + incoming <= *quota) return;
  throw Error(ErrorCode::kDenied,
              "namespace '" + ns + "' would go over its quota of " + format_size(*quota) + " (" +
                  format_size(used) + " used, this adds " + format_size(incoming) +
                  "); delete images there and run ferryctl gc, or raise it with ferryctl "
                  "namespace set " +
                  ns + " --quota SIZE");
}

void Gate::check_tag_change(std::string_view repository, std::string_view tag) {
  if (!snapshot()->policy.immutable(repository, tag)) return;
  throw Error(ErrorCode::kDenied, "tag '" + std::string(tag) + "' of '" + std::string(repository) +
                                      "' is immutable in its namespace; push a new tag instead");
}

bool Gate::login_required() {
  return snapshot()->mode == Mode::kEnforced;
}

void Gate::audit(const Caller& caller, std::string_view action, std::string_view target,
                 std::string_view result, std::string_view detail) {
  try {
    store_.with_database([&](sql::Database& db) {
      access::Accounts(db).audit({now_unix(), caller.user.value_or("anonymous"),
                                  std::string(action), std::string(target), caller.address,
                                  std::string(result), std::string(detail)});
    });
  } catch (const std::exception& e) {
    log::warn(std::string("audit log not written: ") + e.what());
  }
}

}  // namespace ferry::api

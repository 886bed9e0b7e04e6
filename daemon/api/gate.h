// Who is calling and what they may do, for every request (docs/access.md).
// Credentials come as HTTP Basic: a user's password, or one of their robot
// tokens. Decisions come from a snapshot of the access tables, reloaded
// within a second of any ferryctl change. Failed logins are throttled per
// client address and per user name.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "access/policy.h"
#include "core/error.h"
#include "core/store.h"
#include "daemon/http/request.h"

namespace ferry::api {

// A 401: the response carries a WWW-Authenticate challenge.
class Unauthorized : public Error {
 public:
  explicit Unauthorized(const std::string& message) : Error(ErrorCode::kUnauthorized, message) {}
};

struct GateOptions {
  bool open = false;     // auth.open: everything allowed to everyone
  bool loopback = true;  // listening on loopback only
};

struct Caller {
  std::optional<std::string> user;  // empty: anonymous
  std::string address;
};

class Gate {
 public:
  Gate(Store& store, GateOptions options) : store_(store), options_(options) {}

  // Throws Unauthorized for bad or malformed credentials and TOOMANYREQUESTS
  // while a client or user is throttled after failed logins.
  Caller authenticate(const http::Request& req);
  // Throws Unauthorized (anonymous, must log in) or DENIED (403).
  void require(const Caller& caller, access::Action action, std::string_view repository);
  bool allowed(const Caller& caller, access::Action action, std::string_view repository);
  // Refuses (DENIED) a write of `incoming` bytes that would take the
  // repository's namespace over its quota.
  void check_quota(std::string_view repository, uint64_t incoming);
  // Refuses (DENIED) changing or deleting an immutable tag.
  void check_tag_change(std::string_view repository, std::string_view tag);
  // Whether /v2/ should ask an anonymous caller to log in.
  bool login_required();

  void audit(const Caller& caller, std::string_view action, std::string_view target,
             std::string_view result, std::string_view detail);

 private:
  enum class Mode { kOpen, kLocked, kEnforced };
  struct Snapshot {
    access::Policy policy;
    Mode mode = Mode::kOpen;
    int64_t version = -1;
  };
  struct Throttle {
    int failures = 0;
    std::chrono::steady_clock::time_point until{};
  };

  std::shared_ptr<const Snapshot> snapshot();
  std::optional<std::string> check_credentials(const std::string& user, const std::string& secret,
                                               int64_t version);
  void throttle_check(const std::string& key, const char* what);
  void record_failure(const std::string& key);

  Store& store_;
  GateOptions options_;
  std::mutex mu_;
  std::shared_ptr<const Snapshot> snapshot_;
  std::chrono::steady_clock::time_point checked_{};
  // sha256(user, secret) of recent successful logins, so argon2id runs once
  // per client session instead of once per request; cleared on any change.
  std::unordered_map<std::string, std::pair<std::string, std::chrono::steady_clock::time_point>>
      verified_;
  int64_t verified_version_ = -1;
  std::unordered_map<std::string, Throttle> throttles_;  // "addr:.." and "user:.."
};

}  // namespace ferry::api

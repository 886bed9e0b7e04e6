#include "daemon/api/api.h"

#include <charconv>

#include "core/error.h"
#include "daemon/api/admin.h"
#include "daemon/api/handlers.h"
#include "daemon/api/token.h"

namespace ferry::api {
namespace {

using access::Action;

// Records a push or delete, and its outcome, in the audit log once the
// exchange answers.
class Audited final : public http::Exchange {
 public:
  Audited(ExchangePtr inner, Gate& gate, Caller caller, std::string action, std::string target)
      : inner_(std::move(inner)),
        gate_(gate),
        caller_(std::move(caller)),
        action_(std::move(action)),
        target_(std::move(target)) {}
  void on_body(const char* data, size_t size) override { inner_->on_body(data, size); }
  http::Response respond() override {
    try {
      http::Response r = inner_->respond();
      gate_.audit(caller_, action_, target_, r.status < 400 ? "ok" : "failed", "");
      return r;
    } catch (const std::exception& e) {
      gate_.audit(caller_, action_, target_, "refused", e.what());
      throw;
    }
  }

 private:
  ExchangePtr inner_;
  Gate& gate_;
  Caller caller_;
  std::string action_, target_;
};

Action action_of(const http::Request& req, Endpoint endpoint) {
  std::string_view m = req.method();
  if (m == "GET" || m == "HEAD") return Action::kPull;
  if (m == "DELETE" && endpoint != Endpoint::kUpload) return Action::kDelete;
  return Action::kPush;
}

}  // namespace

int64_t query_int(const http::Request& req, const char* name, int64_t fallback, int64_t min,
                  int64_t max) {
  auto text = req.query(name);
  if (!text) return fallback;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value < min || value > max) {
    throw Error(ErrorCode::kInvalid, std::string(name) + " must be an integer from " +
                                         std::to_string(min) + " to " + std::to_string(max) +
                                         ", not '" + text->substr(0, 40) + "'");
  }
  return value;
}

void method_not_allowed(const http::Request& req, std::string_view allowed) {
  throw Error(ErrorCode::kUnsupported, std::string(req.method()) + " is not supported on " +
                                           std::string(req.path().substr(0, 300)) +
                                           "; allowed: " + std::string(allowed));
}

http::Router make_router(Store& store, const Metrics* metrics, Gate* gate) {
  return [&store, metrics, gate](const http::Request& req) -> ExchangePtr {
    if (req.has_nul()) {
      throw Error(ErrorCode::kNameInvalid,
                  "the path or query holds %00 (a NUL byte), which no name, tag, digest or file "
                  "name may hold");
    }
    if (metrics && req.path() == "/metrics") {
      if (req.method() != "GET" && req.method() != "HEAD") method_not_allowed(req, "GET, HEAD");
      return answer(http::Response::text(200, metrics->render(store),
                                         "text/plain; version=0.0.4; charset=utf-8"));
    }
    Caller caller;
    if (gate) caller = gate->authenticate(req);
    if (gate && req.path() == "/ferry/v1/token") return handle_token(*gate, caller, req);
    if (req.path().rfind("/ferry/v1/", 0) == 0) {
      if (gate && req.path() != "/ferry/v1/imports") return handle_admin(store, *gate, caller, req);
      if (gate && gate->login_required() && !caller.user) {
        throw Unauthorized("log in first", gate->challenge(caller));
      }
      return handle_ferry_v1(store, req);
    }
    if (is_files_path(req.path())) {
      Checks checks;
      if (gate && gate->login_required()) {
        checks.may_pull = [gate, caller](std::string_view repo) {
          return gate->allowed(caller, Action::kPull, repo);
        };
      }
      if (gate) {
        checks.require_pull = [gate, caller](std::string_view repo) {
          gate->require(caller, Action::kPull, repo);
        };
      }
      LoginPrompt ask_login;
      if (gate && gate->login_required() && !caller.user) {
        ask_login = [gate, caller] {
          throw Unauthorized("log in to download files", gate->challenge(caller));
        };
      }
      return handle_files(store, req, checks, ask_login);
    }
    Route route = parse_route(req.path());
    // Before access control, so roles, quotas and immutable tags see the
    // name the image is kept under (docs/registry-api.md, "Mirrors").
    if (!route.name.empty()) route.name = mirrored_name(route.name, req.query("ns"));
    Checks checks;
    if (gate) {
      // Without enforced rules everyone may pull everything (and a mount
      // may come from anywhere in the store).
      if (gate->login_required()) {
        checks.may_pull = [gate, caller](std::string_view repo) {
          return gate->allowed(caller, Action::kPull, repo);
        };
      }
      checks.before_tag_change = [gate, caller, name = route.name](auto tag, auto from, auto to) {
        gate->check_tag_change(name, tag, from, to);
        gate->require(caller, Action::kRetag, name);
      };
      checks.before_write = [gate, name = route.name](uint64_t bytes) {
        gate->check_quota(name, bytes);
      };
    }
    switch (route.endpoint) {
      case Endpoint::kBase:
        if (req.method() != "GET" && req.method() != "HEAD") method_not_allowed(req, "GET, HEAD");
        if (gate && gate->login_required() && !caller.user) {
          throw Unauthorized("log in to use this registry", gate->challenge(caller));
        }
        return answer(http::Response::json(200, "{}"));
      case Endpoint::kCatalog: return handle_catalog(store, req, checks);
      case Endpoint::kNotFound:
        throw Error(ErrorCode::kNameUnknown,
                    "no such endpoint: " + std::string(req.path().substr(0, 300)) +
                        "; the registry API is under /v2/");
      default: break;
    }
    Action action = action_of(req, route.endpoint);
    if (gate) gate->require(caller, action, route.name);
    ExchangePtr exchange;
    switch (route.endpoint) {
      case Endpoint::kTags: return handle_tags(store, req, route);
      case Endpoint::kReferrers: return handle_referrers(store, req, route);
      case Endpoint::kBlob: exchange = handle_blob(store, req, route); break;
      case Endpoint::kUploadStart: return handle_upload_start(store, req, route, checks);
      case Endpoint::kUpload: return handle_upload(store, req, route, checks);
      case Endpoint::kManifest: exchange = handle_manifest(store, req, route, checks); break;
      default: break;
    }
    // Pushes of manifests (a whole image) and deletes go to the audit log.
    if (gate && (req.method() == "PUT" || req.method() == "DELETE")) {
      std::string what = route.endpoint == Endpoint::kBlob ? "blob" : "manifest";
      return std::make_unique<Audited>(
          std::move(exchange), *gate, caller,
          std::string(req.method() == "PUT" ? "push " : "delete ") + what,
          route.name + ":" + route.reference);
    }
    return exchange;
  };
}

}  // namespace ferry::api

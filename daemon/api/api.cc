#include "daemon/api/api.h"

#include <memory>

#include "base/error.h"
#include "daemon/api/admin.h"
#include "daemon/api/handlers.h"
#include "daemon/api/session.h"
#include "daemon/api/token.h"
#include "daemon/api/ui.h"

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
  uint64_t buffers_at_most() const override { return inner_->buffers_at_most(); }
  void will_buffer(uint64_t bytes) override { inner_->will_buffer(bytes); }
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

// What the router closes over.
struct Api {
  Store& store;
  const Metrics* metrics;
  Gate* gate;
  Jobs* jobs;
  std::shared_ptr<TagSummaryCache> summaries;  // kept across requests, for the tags pages
};

// The metrics label of a request (Metrics::kRoutes), from the route parsed once.
std::string_view route_label(std::string_view path, const Route& route) {
  if (path == "/metrics") return "metrics";
  if (path.rfind("/ferry/v1/", 0) == 0) return "ferry";
  switch (route.endpoint) {
    case Endpoint::kBase: return "base";
    case Endpoint::kCatalog: return "catalog";
    case Endpoint::kTags: return "tags";
    case Endpoint::kManifest: return "manifest";
    case Endpoint::kBlob: return "blob";
    case Endpoint::kUploadStart:
    case Endpoint::kUpload: return "upload";
    case Endpoint::kReferrers: return "referrers";
    case Endpoint::kNotFound: break;
  }
  return "other";
}

// /ferry/v1/: the token endpoint, the admin API, the import history.
ExchangePtr route_ferry(const Api& api, const Caller& caller, const http::Request& req) {
  Gate* gate = api.gate;
  if (gate && req.path() == "/ferry/v1/token") return handle_token(*gate, caller, req);
  if (gate && req.path() == "/ferry/v1/session") return handle_session(*gate, caller, req);
  if (gate && req.path() != "/ferry/v1/imports" && !req.path().starts_with("/ferry/v1/imports/") &&
      !is_browse_path(req.path())) {
    return handle_admin(api.store, *gate, caller, req, api.jobs);
  }
  Checks checks;
  if (gate && gate->login_required()) {
    // Browsing follows the pull rule, anonymous pull included; the import
    // history and receipts need a login.
    if (!caller.user && !is_browse_path(req.path())) {
      throw Error::unauthorized("log in first", gate->challenge(caller));
    }
    if (!caller.user || !gate->rules().snapshot()->policy.is_admin(*caller.user)) {
      checks.may_pull = [gate, caller](std::string_view repo) {
        return gate->allowed(caller, Action::kPull, repo);
      };
    }
  }
  return handle_ferry_v1(api.store, req, checks, api.summaries.get());
}

ExchangePtr route_files(const Api& api, const Caller& caller, const http::Request& req) {
  Gate* gate = api.gate;
  Checks checks;
  if (gate && gate->login_required()) {
    checks.may_pull = [gate, caller](std::string_view repo) {
      return gate->allowed(caller, Action::kPull, repo);
    };
    checks.skip_hidden = [gate](std::string_view repo) {
      return gate->rules().namespace_end(repo);
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
      throw Error::unauthorized("log in to download files", gate->challenge(caller));
    };
  }
  return handle_files(api.store, req, checks, ask_login);
}

// What the gate asks of the /v2/ handlers for repository `name`.
Checks v2_checks(Gate* gate, const Caller& caller, const std::string& name) {
  Checks checks;
  if (!gate) return checks;
  // Without enforced rules everyone may pull everything (and a mount may
  // come from anywhere in the store).
  if (gate->login_required()) {
    checks.may_pull = [gate, caller](std::string_view repo) {
      return gate->allowed(caller, Action::kPull, repo);
    };
    checks.skip_hidden = [gate](std::string_view repo) {
      return gate->rules().namespace_end(repo);
    };
  }
  checks.before_tag_change = [gate, caller, name](auto tag, auto from, auto to) {
    gate->check_tag_change(name, tag, from, to);
    gate->require(caller, Action::kRetag, name);
  };
  checks.writer = writer_of(caller);
  checks.pusher = caller.user.value_or("anonymous");
  checks.admit = [gate, name](const UploadLedger::View& view, const UploadLedger::Want& want) {
    gate->admit_write(name, view, want);
  };
  return checks;
}

// /v2/<name>/...: access checked, then the area's handler.
ExchangePtr route_repository(const Api& api, const Caller& caller, const http::Request& req,
                             const Route& route, const Checks& checks) {
  Gate* gate = api.gate;
  if (gate) gate->require(caller, action_of(req, route.endpoint), route.name);
  ExchangePtr exchange;
  switch (route.endpoint) {
    case Endpoint::kTags: return handle_tags(api.store, req, route);
    case Endpoint::kReferrers: return handle_referrers(api.store, req, route);
    case Endpoint::kUploadStart: return handle_upload_start(api.store, req, route, checks);
    case Endpoint::kUpload: return handle_upload(api.store, req, route, checks);
    case Endpoint::kBlob: exchange = handle_blob(api.store, req, route); break;
    case Endpoint::kManifest: exchange = handle_manifest(api.store, req, route, checks); break;
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
}

ExchangePtr route_v2(const Api& api, const Caller& caller, const http::Request& req, Route route) {
  Gate* gate = api.gate;
  // Before access control, so roles, quotas and immutable tags see the
  // name the image is kept under (docs/registry-api.md, "Mirrors").
  if (!route.name.empty()) route.name = mirrored_name(route.name, req.query("ns"));
  Checks checks = v2_checks(gate, caller, route.name);
  switch (route.endpoint) {
    case Endpoint::kBase:
      if (req.method() != "GET" && req.method() != "HEAD") method_not_allowed(req, "GET, HEAD");
      if (gate && gate->login_required() && !caller.user) {
        throw Error::unauthorized("log in to use this registry", gate->challenge(caller));
      }
      return answer(http::Response::json(200, "{}"));
    case Endpoint::kCatalog: return handle_catalog(api.store, req, checks);
    case Endpoint::kNotFound:
      throw Error(ErrorCode::kNameUnknown,
                  "no such endpoint: " + std::string(req.path().substr(0, 300)) +
                      "; the registry API is under /v2/");
    default: return route_repository(api, caller, req, route, checks);
  }
}

ExchangePtr route_request(const Api& api, const http::Request& req, http::RouteInfo& info) {
  Route route = parse_route(req.path());
  info.label = route_label(req.path(), route);
  info.browser_headers =
      req.path().rfind("/ferry/v1/", 0) == 0 || is_ui_path(req.path()) || is_browser_root(req);
  if (req.has_nul()) {
    throw Error(ErrorCode::kNameInvalid,
                "the path or query holds %00 (a NUL byte), which no name, tag, digest or file "
                "name may hold");
  }
  if (api.metrics && req.path() == "/metrics") {
    if (req.method() != "GET" && req.method() != "HEAD") method_not_allowed(req, "GET, HEAD");
    return answer(http::Response::text(200, api.metrics->render(api.store),
                                       "text/plain; version=0.0.4; charset=utf-8"));
  }
  // The console's files are public: what they show comes from /ferry/v1/.
  if (is_ui_path(req.path()) || is_browser_root(req)) return handle_ui(req);
  Caller caller;
  if (api.gate) caller = api.gate->authenticate(req);
  if (req.path().rfind("/ferry/v1/", 0) == 0) return route_ferry(api, caller, req);
  if (is_files_path(req.path())) return route_files(api, caller, req);
  return route_v2(api, caller, req, std::move(route));
}

}  // namespace

http::Router make_router(Store& store, const Metrics* metrics, Gate* gate, Jobs* jobs) {
  return [api = Api{store, metrics, gate, jobs, std::make_shared<TagSummaryCache>()}](
             const http::Request& req, http::RouteInfo& info) {
    return route_request(api, req, info);
  };
}

}  // namespace ferry::api

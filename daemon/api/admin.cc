// The admin API under /ferry/v1/, for `ferryctl --registry` and scripts
// (docs/access.md, "Admin API"): the route table of admin_routes.cc, matched
// here. Admins only (Gate::admin_scope): an admin of "*" everything, a
// namespace's admin its grants and settings. Every change goes through the
// same access::Admin operations as ferryctl on the data dir, is audited
// under the caller's name, and takes effect at once.
#include "daemon/api/admin.h"

#include <nlohmann/json.hpp>

#include "access/accounts.h"
#include "base/error.h"
#include "core/json_strict.h"
#include "daemon/api/admin_routes.h"
#include "daemon/api/small_body.h"

namespace ferry::api {
namespace {

using access::Accounts;
using nlohmann::json;

constexpr size_t kMaxBody = 64 * 1024;

// Buffers a small JSON object body, then hands it to `work`.
using JsonWork = std::function<http::Response(const json&)>;
ExchangePtr with_body(JsonWork work) {
  return std::make_unique<SmallBody>(
      kMaxBody, "an admin request body", [work = std::move(work)](const std::string& body) {
        StrictJson parsed = parse_json_strict(body);
        if (!parsed.ok()) {
          throw Error(ErrorCode::kInvalid, "the body must be one JSON object: " + parsed.error);
        }
        const json& doc = parsed.value;
        if (!doc.is_object()) throw Error(ErrorCode::kInvalid, "the body must be a JSON object");
        try {
          return work(doc);
        } catch (const json::exception& e) {
          // nlohmann's words without its "[json.exception.type_error.302] " tag.
          std::string_view why = e.what();
          if (auto end = why.find("] "); why.rfind("[json.exception.", 0) == 0 && end != why.npos)
            why.remove_prefix(end + 2);
          throw Error(ErrorCode::kInvalid, "the body does not fit: " + std::string(why));
        }
      });
}

std::vector<std::string> split_path(std::string_view rest) {
  std::vector<std::string> parts;
  while (!rest.empty()) {
    auto slash = rest.find('/');
    parts.emplace_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return parts;
}

bool method_fits(std::string_view route, std::string_view asked) {
  return route == asked || (route == "GET" && asked == "HEAD");
}

// Who may reach the path: its routes' need; for a path no route has, that
// of the routes under the same first part, else an admin of "*".
AdminNeed need_of(const std::vector<const AdminRoute*>& matched, const std::string& what) {
  if (!matched.empty()) return matched.front()->need;
  for (const auto& route : admin_routes()) {
    if (route.path.substr(0, route.path.find('/')) == what) return route.need;
  }
  return AdminNeed::kEverything;
}

[[noreturn]] void no_such_endpoint(const http::Request& req) {
  throw Error(
      ErrorCode::kNameUnknown,
      "no such endpoint: " + std::string(req.path().substr(0, 300)) +
          "; Ferry's API has /ferry/v1/imports, session, status, storage, gc, scrub, audit, "
          "users, tokens, grants and namespaces");
}

}  // namespace

http::Response AdminCall::change(const std::string& action, const std::string& target,
                                 const Work& work) const {
  json out;
  try {
    Accounts accounts(store->database());
    out = work(accounts);
  } catch (const Error& e) {  // a refused change, or outside the caller's admin scope
    gate->audit(caller, action, target, "refused", e.what());
    throw;
  }
  gate->audit(caller, action, target, "ok", "");
  gate->refresh();
  return out.is_null() ? http::Response::empty(204) : http::Response::json(200, json_text(out));
}

http::Response AdminCall::read(const Work& work) const {
  Accounts accounts(store->database());
  return http::Response::json(200, json_text(work(accounts)));
}

ExchangePtr handle_admin(Store& store, Gate& gate, const Caller& caller, const http::Request& req,
                         Jobs* jobs) {
  auto parts = split_path(req.path().substr(std::string_view("/ferry/v1/").size()));
  const std::string what = parts.empty() ? "" : parts[0];
  AdminCall call{&store, &gate, caller, gate.admin_scope(caller), {}, {}, &req, jobs};
  std::vector<const AdminRoute*> matched;  // the routes of this path, whatever their method
  const AdminRoute* chosen = nullptr;
  std::string allowed;
  for (const auto& route : admin_routes()) {
    auto args = match_admin_path(route.path, parts);
    if (!args) continue;
    matched.push_back(&route);
    allowed += (allowed.empty() ? "" : ", ") + std::string(route.method);
    if (!chosen && method_fits(route.method, req.method())) {
      chosen = &route;
      call.args = std::move(*args);
    }
  }
  // A namespace admin sees and changes only their namespaces; the rest of
  // the API is for admins of "*".
  if (need_of(matched, what) == AdminNeed::kEverything) {
    call.scope.require_everything("/ferry/v1/" + what);
  }
  if (matched.empty()) no_such_endpoint(req);
  if (!chosen) method_not_allowed(req, allowed);
  if (!chosen->body) return answer(chosen->handle(call));
  call.request = nullptr;
  return with_body([call, handle = chosen->handle](const json& body) mutable {
    call.body = body;
    return handle(call);
  });
}

}  // namespace ferry::api

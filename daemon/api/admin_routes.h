// The admin API's route table (admin_routes.cc) and what its handlers get.
// handle_admin (admin.cc) matches a request against the table, checks the
// route's scope, reads the body of a route that takes one, and calls it.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "access/admin.h"
#include "core/store.h"
#include "daemon/api/gate.h"
#include "daemon/http/response.h"
#include "daemon/jobs.h"

namespace ferry::api {

// One admin request, as its handler sees it. A route with a body is
// handled once the body is in, after the router has returned, so the call
// holds everything by value (and `request` is null then).
struct AdminCall {
  Store* store = nullptr;
  Gate* gate = nullptr;
  Caller caller;
  AdminScope scope;
  std::vector<std::string> args;  // the path's {NAME} parts, in order
  nlohmann::json body;            // a route with a body: the JSON object sent
  const http::Request* request = nullptr;
  Jobs* jobs = nullptr;  // GC and scrub (null: not offered)

  using Work = std::function<nlohmann::json(access::Admin&)>;
  // Runs `work` on the data dir's accounts, audits it as `action` on
  // `target` under the caller's name (refusals too, read after `work` ran)
  // and makes the gate see it. 204, or 200 with the JSON `work` returns.
  // Throws the refusal: an AccessErrorKind, answered 400, 404 or 409.
  http::Response change(const std::string& action, const std::string& target,
                        const Work& work) const;
  // 200 with the JSON `work` returns; nothing is audited.
  http::Response read(const Work& work) const;
};

// Who may call a route: an admin of "*", or an admin of any namespace
// (the handler checks that the namespace is theirs, or filters a list).
enum class AdminNeed { kEverything, kNamespace };

struct AdminRoute {
  std::string_view method;  // "GET" answers HEAD too
  // Under /ferry/v1/: literal parts, {NAME} for one part, and a last
  // {NAME*} for one or more parts joined by "/" (a namespace such as
  // site/line1).
  std::string_view path;
  AdminNeed need;
  bool body;  // a JSON object, up to 64 KiB
  http::Response (*handle)(AdminCall& call);
};

// The table, in the order "allowed" lists methods in a 405.
std::span<const AdminRoute> admin_routes();

// The {NAME} parts of `parts` when they fit `pattern`; nullopt otherwise.
std::optional<std::vector<std::string>> match_admin_path(std::string_view pattern,
                                                         const std::vector<std::string>& parts);

}  // namespace ferry::api

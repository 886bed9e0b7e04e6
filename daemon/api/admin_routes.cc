// The admin API's endpoints under /ferry/v1/ (docs/access.md, "Admin API"):
//   GET              status
//   GET              audit[?n=N&before=ID&user=U&action=A&namespace=NS&result=R]
//   GET              storage              (an admin of a namespace: theirs)
//   POST             gc, scrub            start one in the background: 202, 409
//   GET, POST        users                {"name", "password"} (the first: admin)
//   PUT              users/NAME/password  {"password"}
//   DELETE           users/NAME
//   GET, POST        tokens               {"user", "expiresIn"?, "description"?}
//   DELETE           tokens/ID
//   GET              grants
//   PUT, DELETE      grants/USER/NAMESPACE {"role"}
//   GET              namespaces
//   PATCH            namespaces/NAME      {"anonymousPull"?, "import"?, "quota"?,
//                                          "immutable"?}; null: follow "*"
//   DELETE           namespaces/NAME      (its settings; grants stay)
// NAMESPACE and NAME may have several components (site/line1).
#include "daemon/api/admin_routes.h"

#include <algorithm>
#include <array>

#include "access/accounts.h"
#include "access/admin_paths.h"
#include "access/json.h"
#include "base/error.h"
#include "core/job_runs.h"
#include "core/json_strict.h"
#include "daemon/api/handlers.h"
#include "daemon/http/form.h"
#include "runtime/status_json.h"

namespace ferry::api {
namespace {

using access::AccessErrorKind;
using access::Admin;
using nlohmann::json;

template <typename Rows>
json rows_json(const char* key, const Rows& rows) {
  json list = json::array();
  for (const auto& r : rows) list.push_back(r);
  return {{key, list}};
}

void require_covers(const AdminScope& scope, const std::string& name_space) {
  if (scope.covers(name_space)) return;
  throw Error(ErrorCode::kDenied, "user '" + scope.user + "' is not an admin of namespace '" +
                                      name_space + "'" +
                                      (name_space == "*" ? std::string() : " (nor of '*')"));
}

// Refuses a change through the API that would leave no admin of "*":
// nobody could then administer the box but root on its host. `user` is
// the one losing the role.
void keep_an_admin(Admin& a, const std::string& user) {
  bool theirs = false;
  int admins = 0;
  for (const auto& g : a.grants()) {
    if (g.name_space != "*" || g.role != access::Role::kAdmin) continue;
    admins++;
    theirs = theirs || g.user == user;
  }
  if (theirs && admins == 1) {
    throw Error(ErrorCode::kDenied, "'" + user +
                                        "' is the last admin of '*': grant admin of '*' to "
                                        "another user first, or nobody could administer this box "
                                        "but root on its host (ferryctl --data-dir)");
  }
}

http::Response status(AdminCall& c) {
  return http::Response::json(200, json_text(status_json(*c.store)));
}

// GET audit?n=&before=ID&user=&action=&namespace=&result=: newest first,
// each filter exact; Link rel="next" while a full page came back.
http::Response audit_log(AdminCall& c) {
  const http::Request& req = *c.request;
  access::AuditQuery q;
  q.limit = query_int(req, "n", 50, 1, 100000);
  q.before = query_int(req, "before", 0, 0, INT64_MAX);
  std::string filters;
  for (auto [name, field] : {std::pair{"user", &q.actor},
                             {"action", &q.action},
                             {"namespace", &q.name_space},
                             {"result", &q.result}}) {
    auto value = req.query(name);
    if (!value || value->empty()) continue;
    *field = *value;
    filters += std::string("&") + name + "=" + http::percent_encode(*value);
  }
  auto rows = access::Accounts(c.store->database()).audit_log(q);
  http::Response r = http::Response::json(200, json_text(rows_json("entries", rows)));
  if (!rows.empty() && static_cast<int64_t>(rows.size()) == q.limit) {
    r.header("Link", "</ferry/v1/audit?n=" + std::to_string(q.limit) +
                         "&before=" + std::to_string(rows.back().id) + filters + ">; rel=\"next\"");
  }
  return r;
}

json job_json(bool running, const std::optional<JobRun>& last) {
  json j{{"running", running}, {"last", json()}};
  if (!last) return j;
  json l{{"startedAt", last->started_at},
         {"finishedAt", last->finished_at},
         {"trigger", last->trigger},
         {"error", last->error ? json(*last->error) : json()}};
  if (last->kind == "gc") {
    l["removedBlobs"] = last->removed_blobs;
    l["removedManifests"] = last->removed_manifests;
    l["freedBytes"] = last->freed_bytes;
  } else {
    l["checked"] = last->checked;
    l["damaged"] = last->damaged;
  }
  j["last"] = std::move(l);
  return j;
}

// Use per namespace (first components and configured prefixes) the caller
// administers, against its quota.
json namespaces_json(AdminCall& c) {
  Store& store = *c.store;
  auto snap = c.gate->rules().snapshot();
  auto usage = store.namespace_usage();
  for (const auto& prefix : snap->policy.prefixes()) usage.push_back(store.prefix_usage(prefix));
  std::sort(usage.begin(), usage.end(),
            [](const NamespaceUsage& a, const NamespaceUsage& b) { return a.name < b.name; });
  json out = json::array();
  for (const auto& u : usage) {
    if (!c.scope.covers(u.name)) continue;
    auto quota = snap->policy.quota(u.name + "/x");
    out.push_back({{"name", u.name}, {"bytes", u.bytes}, {"quota", quota ? json(*quota) : json()}});
  }
  return out;
}

// GET storage: disk, use per namespace, the last GC and scrub, damaged
// content (admins of "*" only: its digests may be any namespace's).
http::Response storage(AdminCall& c) {
  Store& store = *c.store;
  JobRuns runs(store.database());
  json damaged = json::array();
  if (c.scope.everything) {
    for (const auto& d : store.damaged(1000)) {
      damaged.push_back({{"digest", d.digest}, {"foundAt", d.found_at}, {"reason", d.reason}});
    }
  }
  bool gc_running = c.jobs && c.jobs->gc_running();
  bool scrub_running = c.jobs && c.jobs->scrub_running();
  json out{{"disk",
            {{"freeBytes", store.free_bytes()},
             {"totalBytes", store.total_bytes()},
             {"floorBytes", store.options().min_free}}},
           {"namespaces", namespaces_json(c)},
           {"gc", job_json(gc_running, runs.last("gc"))},
           {"scrub", job_json(scrub_running, runs.last("scrub"))},
           {"damaged", damaged}};
  return http::Response::json(200, json_text(out));
}

// POST gc, POST scrub: started in the background with the configured
// options; audited; 409 while one of the kind runs.
http::Response start_job(AdminCall& c, const char* kind) {
  bool gc = std::string_view(kind) == "gc";
  if (!c.jobs) throw Error(ErrorCode::kNameUnknown, std::string("no ") + kind + " here");
  std::string trigger = "api:" + c.caller.user.value_or("anonymous");
  if (!(gc ? c.jobs->start_gc(trigger) : c.jobs->start_scrub(trigger))) {
    c.gate->audit(c.caller, std::string(kind) + " start", "*", "refused", "one is running");
    throw Error(ErrorCode::kExists, std::string(gc ? "a garbage collection" : "a scrub") +
                                        " is running; see GET /ferry/v1/storage for when it ends");
  }
  c.gate->audit(c.caller, std::string(kind) + " start", "*", "ok", "");
  return http::Response::json(202, R"({"started":true})");
}

http::Response start_gc(AdminCall& c) {
  return start_job(c, "gc");
}

http::Response start_scrub(AdminCall& c) {
  return start_job(c, "scrub");
}

http::Response list_users(AdminCall& c) {
  return c.read([](Admin& a) { return rows_json("users", a.users()); });
}

http::Response add_user(AdminCall& c) {
  std::string name = c.body.at("name").get<std::string>();
  std::string password = c.body.at("password").get<std::string>();
  return c.change("user add", name, [&](Admin& a) {
    // Only reachable with no users in the open default: the first user
    // must be an admin, or nobody could go on through the API.
    bool first = a.users().empty();
    a.add_user(name, password);
    if (first) a.grant(name, "*", access::Role::kAdmin);
    return json();
  });
}

http::Response set_password(AdminCall& c) {
  std::string password = c.body.at("password").get<std::string>();
  return c.change("user passwd", c.args[0], [&](Admin& a) {
    a.set_password(c.args[0], password);
    return json();
  });
}

http::Response remove_user(AdminCall& c) {
  return c.change("user del", c.args[0], [&](Admin& a) {
    keep_an_admin(a, c.args[0]);
    a.remove_user(c.args[0]);
    return json();
  });
}

http::Response list_tokens(AdminCall& c) {
  return c.read([](Admin& a) { return rows_json("tokens", a.tokens()); });
}

http::Response create_token(AdminCall& c) {
  access::TokenRequest request{c.body.at("user").get<std::string>(), {}, ""};
  if (c.body.contains("expiresIn") && !c.body["expiresIn"].is_null()) {
    const json& in = c.body["expiresIn"];
    // Checked as a number first: a huge or fractional one must not wrap.
    bool ok = in.is_number_unsigned() && in.get<uint64_t>() >= 1 &&
              in.get<uint64_t>() <= uint64_t(access::kMaxTokenLifetime);
    if (!ok) {
      throw Error(ErrorCode::kInvalid, "expiresIn must be a whole number of seconds from 1 to " +
                                           std::to_string(access::kMaxTokenLifetime) +
                                           " (100 years), not " + json_text(in).substr(0, 40));
    }
    request.lifetime = std::chrono::seconds(in.get<int64_t>());
  }
  request.description = c.body.value("description", "");
  // Audited as "token ID of USER" once the id exists (change() reads the
  // target after the work).
  std::string target = "token of " + request.user;
  return c.change("token create", target, [&](Admin& a) {
    auto t = a.create_token(request);
    target = "token " + t.id + " of " + request.user;
    return json{{"id", t.id},
                {"secret", t.secret},
                {"expiresAt", t.expires_at ? json(*t.expires_at) : json()}};
  });
}

http::Response revoke_token(AdminCall& c) {
  return c.change("token revoke", "token " + c.args[0], [&](Admin& a) {
    a.revoke_token(c.args[0]);
    return json();
  });
}

http::Response list_grants(AdminCall& c) {
  return c.read([&c](Admin& a) {
    auto rows = a.grants();
    std::erase_if(rows, [&](const access::GrantRow& g) { return !c.scope.covers(g.name_space); });
    return rows_json("grants", rows);
  });
}

http::Response grant(AdminCall& c) {
  const std::string &user = c.args[0], &ns = c.args[1];
  std::string role_text = c.body.at("role").get<std::string>();
  auto role = access::parse_role(role_text);
  return c.change("grant", user + " " + ns + " " + role_text, [&](Admin& a) {
    require_covers(c.scope, ns);
    if (!role) {
      throw Error(AccessErrorKind::kInvalid,
                  "role '" + role_text + "' is not reader, writer, maintainer or admin");
    }
    if (ns == "*" && *role != access::Role::kAdmin) keep_an_admin(a, user);
    a.grant(user, ns, *role);
    return json();
  });
}

http::Response revoke(AdminCall& c) {
  const std::string &user = c.args[0], &ns = c.args[1];
  return c.change("revoke", user + " " + ns, [&](Admin& a) {
    require_covers(c.scope, ns);
    if (ns == "*") keep_an_admin(a, user);
    a.revoke(user, ns);
    return json();
  });
}

http::Response list_namespaces(AdminCall& c) {
  return c.read([&c](Admin& a) {
    auto rows = a.namespaces();
    std::erase_if(rows, [&](const access::NamespaceRow& n) { return !c.scope.covers(n.name); });
    return rows_json("namespaces", rows);
  });
}

http::Response change_namespace(AdminCall& c) {
  const std::string& name = c.args[0];
  auto settings = c.body.get<access::NamespaceChange>();
  return c.change("namespace set", name, [&](Admin& a) {
    require_covers(c.scope, name);
    // Quotas share the disk between namespaces: an admin of one may not
    // raise its own.
    if (settings.set.quota || std::count(settings.inherit.begin(), settings.inherit.end(),
                                         access::NamespaceField::kQuota)) {
      c.scope.require_everything("a namespace's quota");
    }
    a.change_namespace(name, settings);
    return json();
  });
}

http::Response remove_namespace(AdminCall& c) {
  return c.change("namespace del", c.args[0], [&](Admin& a) {
    c.scope.require_everything("dropping a namespace's settings (its quota among them)");
    a.remove_namespace(c.args[0]);
    return json();
  });
}

using enum AdminNeed;
namespace paths = access::paths;
constexpr std::array kRoutes{
    AdminRoute{"GET", paths::kStatus, kEverything, false, status},
    AdminRoute{"GET", paths::kAudit, kEverything, false, audit_log},
    AdminRoute{"GET", paths::kStorage, kNamespace, false, storage},
    AdminRoute{"POST", paths::kGc, kEverything, false, start_gc},
    AdminRoute{"POST", paths::kScrub, kEverything, false, start_scrub},
    AdminRoute{"GET", paths::kUsers, kEverything, false, list_users},
    AdminRoute{"POST", paths::kUsers, kEverything, true, add_user},
    AdminRoute{"PUT", paths::kPassword, kEverything, true, set_password},
    AdminRoute{"DELETE", paths::kUser, kEverything, false, remove_user},
    AdminRoute{"GET", paths::kTokens, kEverything, false, list_tokens},
    AdminRoute{"POST", paths::kTokens, kEverything, true, create_token},
    AdminRoute{"DELETE", paths::kToken, kEverything, false, revoke_token},
    AdminRoute{"GET", paths::kGrants, kNamespace, false, list_grants},
    AdminRoute{"PUT", paths::kGrant, kNamespace, true, grant},
    AdminRoute{"DELETE", paths::kGrant, kNamespace, false, revoke},
    AdminRoute{"GET", paths::kNamespaces, kNamespace, false, list_namespaces},
    AdminRoute{"PATCH", paths::kNamespace, kNamespace, true, change_namespace},
    AdminRoute{"DELETE", paths::kNamespace, kNamespace, false, remove_namespace},
};

}  // namespace

std::span<const AdminRoute> admin_routes() {
  return kRoutes;
}

std::optional<std::vector<std::string>> match_admin_path(std::string_view pattern,
                                                         const std::vector<std::string>& parts) {
  std::vector<std::string> args;
  size_t i = 0;
  for (; !pattern.empty(); ++i) {
    auto slash = pattern.find('/');
    std::string_view want = pattern.substr(0, slash);
    pattern = slash == std::string_view::npos ? "" : pattern.substr(slash + 1);
    if (i >= parts.size()) return std::nullopt;
    if (want.ends_with("*}")) {  // the rest, joined again
      std::string rest = parts[i];
      while (++i < parts.size()) rest += "/" + parts[i];
      args.push_back(std::move(rest));
      return args;
    }
    if (want.starts_with('{')) {
      args.push_back(parts[i]);
    } else if (want != parts[i]) {
      return std::nullopt;
    }
  }
  if (i != parts.size()) return std::nullopt;
  return args;
}

}  // namespace ferry::api

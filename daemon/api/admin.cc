// The admin API under /ferry/v1/, for `ferryctl --registry` and scripts
// (docs/access.md, "Admin API"). Admins only (Gate::admin_scope): an admin
// of "*" everything, a namespace's admin its grants and settings. Every
// change goes through the same Accounts code as ferryctl on the data dir,
// is audited under the caller's name, and takes effect at once.
//   GET              /ferry/v1/status
//   GET              /ferry/v1/audit[?n=N]
//   GET, POST        /ferry/v1/users                {"name", "password"} (the first: admin)
//   PUT              /ferry/v1/users/NAME/password  {"password"}
//   DELETE           /ferry/v1/users/NAME
//   GET, POST        /ferry/v1/tokens               {"user", "expiresIn"?, "description"?}
//   DELETE           /ferry/v1/tokens/ID
//   GET              /ferry/v1/grants
//   PUT, DELETE      /ferry/v1/grants/USER/NAMESPACE {"role"}
//   GET              /ferry/v1/namespaces
//   PATCH            /ferry/v1/namespaces/NAME      {"anonymousPull"?, "import"?, "quota"?,
//                                                    "immutable"?}; null: follow "*"
//   DELETE           /ferry/v1/namespaces/NAME      (its settings; grants stay)
// NAMESPACE and NAME may have several components (site/line1).
#include "daemon/api/admin.h"

#include <ctime>
#include <functional>
#include <nlohmann/json.hpp>

#include "access/accounts.h"
#include "access/json.h"
#include "core/error.h"
#include "daemon/api/small_body.h"
#include "runtime/status_json.h"

namespace ferry::api {
namespace {

using access::AccessError;
using access::AccessErrorKind;
using access::Accounts;
using nlohmann::json;

constexpr size_t kMaxBody = 64 * 1024;

int64_t now_unix() {
  return static_cast<int64_t>(std::time(nullptr));
}

Error to_api_error(const AccessError& e) {
  switch (e.kind()) {
    case AccessErrorKind::kExists: return Error(ErrorCode::kExists, e.what());
    case AccessErrorKind::kUnknown: return Error(ErrorCode::kNotFound, e.what());
    case AccessErrorKind::kInvalid: break;
  }
  return Error(ErrorCode::kInvalid, e.what());
}

// One change: runs it on the accounts, audits it under the caller's name
// (also when refused), and makes the gate see it on the next request.
// Holds the caller by value: a change with a body runs after the router returns.
struct Change {
  Store& store;
  Gate& gate;
  Caller caller;

  http::Response operator()(const std::string& action, const std::string& target,
                            const std::function<json(Accounts&)>& work) const {
    json out;
    try {
      out = store.with_database([&](sql::Database& db) {
        Accounts accounts(db);
        return work(accounts);
      });
    } catch (const AccessError& e) {
      gate.audit(caller, action, target, "refused", e.what());
      throw to_api_error(e);
    } catch (const Error& e) {  // outside the caller's admin scope
      gate.audit(caller, action, target, "refused", e.what());
      throw;
    }
    gate.audit(caller, action, target, "ok", "");
    gate.refresh();
    return out.is_null() ? http::Response::empty(204) : http::Response::json(200, out.dump());
  }
};

// Buffers a small JSON object body, then hands it to `work`.
using JsonWork = std::function<http::Response(const json&)>;
ExchangePtr with_body(JsonWork work) {
  return std::make_unique<SmallBody>(
      kMaxBody, "an admin request body", [work = std::move(work)](const std::string& body) {
        json doc = json::parse(body, nullptr, false);
        if (doc.is_discarded() || !doc.is_object()) {
          throw Error(ErrorCode::kInvalid, "the body must be a JSON object");
        }
        try {
          return work(doc);
        } catch (const json::exception& e) {
          throw Error(ErrorCode::kInvalid, std::string("the body does not fit: ") + e.what());
        }
      });
}

// parts[from..] joined by "/": a namespace may be a prefix such as "site/line1".
std::string joined(const std::vector<std::string>& parts, size_t from) {
  std::string out;
  for (size_t i = from; i < parts.size(); ++i) out += (i > from ? "/" : "") + parts[i];
  return out;
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

template <typename Rows>
json rows_json(const char* key, const Rows& rows) {
  json list = json::array();
  for (const auto& r : rows) list.push_back(r);
  return {{key, list}};
}

void require_covers(const AdminScope& scope, const std::string& name_space) {
  if (scope.covers(name_space)) return;
  throw Error(ErrorCode::kDenied, "user '" + scope.user + "' is not an admin of namespace '" +
                                      name_space + "' (nor of '*')");
}

void expect(const http::Request& req, std::string_view method, std::string_view allowed) {
  if (req.method() != method && !(method == "GET" && req.method() == "HEAD")) {
    method_not_allowed(req, allowed);
  }
}

}  // namespace

ExchangePtr handle_admin(Store& store, Gate& gate, const Caller& caller, const http::Request& req) {
  auto parts = split_path(req.path().substr(std::string_view("/ferry/v1/").size()));
  const std::string what = parts.empty() ? "" : parts[0];
  const std::string_view m = req.method();
  const AdminScope scope = gate.admin_scope(caller);
  // A namespace admin sees and changes only their namespaces; the rest of
  // the API is for admins of "*".
  if (what != "grants" && what != "namespaces") scope.require_everything("/ferry/v1/" + what);
  Change change{store, gate, caller};
  auto read = [&](const std::function<json(Accounts&)>& work) {
    return answer(http::Response::json(200, store
                                                .with_database([&](sql::Database& db) {
                                                  Accounts accounts(db);
                                                  return work(accounts);
                                                })
                                                .dump()));
  };

  if (what == "status" && parts.size() == 1) {
    expect(req, "GET", "GET");
    return answer(http::Response::json(200, status_json(store).dump()));
  }
  if (what == "audit" && parts.size() == 1) {
    expect(req, "GET", "GET");
    int64_t n = query_int(req, "n", 50, 1, 100000);
    return read([n](Accounts& a) { return rows_json("entries", a.audit_log(n)); });
  }
  if (what == "users" && parts.size() == 1) {
    if (m == "GET" || m == "HEAD")
      return read([](Accounts& a) { return rows_json("users", a.users()); });
    expect(req, "POST", "GET, POST");
    return with_body([change](const json& body) {
      std::string name = body.at("name").get<std::string>();
      std::string password = body.at("password").get<std::string>();
      return change("user add", name, [&](Accounts& a) {
        // Only reachable with no users in the open default: the first user
        // must be an admin, or nobody could go on through the API.
        bool first = a.users().empty();
        a.add_user(name, password);
        if (first) a.grant(name, "*", access::Role::kAdmin);
        return json();
      });
    });
  }
  if (what == "users" && parts.size() == 3 && parts[2] == "password") {
    expect(req, "PUT", "PUT");
    return with_body([change, name = parts[1]](const json& body) {
      std::string password = body.at("password").get<std::string>();
      return change("user passwd", name, [&](Accounts& a) {
        a.set_password(name, password);
        return json();
      });
    });
  }
  if (what == "users" && parts.size() == 2) {
    expect(req, "DELETE", "DELETE");
    return answer(change("user del", parts[1], [&](Accounts& a) {
      a.remove_user(parts[1]);
      return json();
    }));
  }
  if (what == "tokens" && parts.size() == 1) {
    if (m == "GET" || m == "HEAD")
      return read([](Accounts& a) { return rows_json("tokens", a.tokens()); });
    expect(req, "POST", "GET, POST");
    return with_body([change](const json& body) {
      std::string user = body.at("user").get<std::string>();
      std::optional<int64_t> expires;
      if (body.contains("expiresIn") && !body["expiresIn"].is_null()) {
        int64_t in = body["expiresIn"].get<int64_t>();
        if (in <= 0)
          throw Error(ErrorCode::kInvalid, "expiresIn must be a positive number of seconds");
        expires = now_unix() + in;
      }
      std::string description = body.value("description", "");
      // Audited as "token ID of USER" once the id exists (Change takes the
      // target by reference).
      std::string target = "token of " + user;
      return change("token create", target, [&](Accounts& a) {
        auto t = a.create_token(user, expires, description);
        target = "token " + t.id + " of " + user;
        return json{{"id", t.id},
                    {"secret", t.secret},
                    {"expiresAt", t.expires_at ? json(*t.expires_at) : json()}};
      });
    });
  }
  if (what == "tokens" && parts.size() == 2) {
    expect(req, "DELETE", "DELETE");
    return answer(change("token revoke", "token " + parts[1], [&](Accounts& a) {
      a.revoke_token(parts[1], now_unix());
      return json();
    }));
  }
  if (what == "grants" && parts.size() == 1) {
    expect(req, "GET", "GET");
    return read([&scope](Accounts& a) {
      auto rows = a.grants();
      std::erase_if(rows, [&](const access::GrantRow& g) { return !scope.covers(g.name_space); });
      return rows_json("grants", rows);
    });
  }
  if (what == "grants" && parts.size() >= 3) {
    const std::string ns = joined(parts, 2);
    std::string target = parts[1] + " " + ns;
    if (m == "DELETE") {
      return answer(change("revoke", target, [&](Accounts& a) {
        require_covers(scope, ns);
        a.revoke(parts[1], ns);
        return json();
      }));
    }
    expect(req, "PUT", "PUT, DELETE");
    return with_body([change, scope, user = parts[1], ns](const json& body) {
      std::string role_text = body.at("role").get<std::string>();
      auto role = access::parse_role(role_text);
      return change("grant", user + " " + ns + " " + role_text, [&](Accounts& a) {
        require_covers(scope, ns);
        if (!role) {
          throw AccessError(AccessErrorKind::kInvalid,
                            "role '" + role_text + "' is not reader, writer, maintainer or admin");
        }
        a.grant(user, ns, *role);
        return json();
      });
    });
  }
  if (what == "namespaces" && parts.size() == 1) {
    expect(req, "GET", "GET");
    return read([&scope](Accounts& a) {
      auto rows = a.namespaces();
      std::erase_if(rows, [&](const access::NamespaceRow& n) { return !scope.covers(n.name); });
      return rows_json("namespaces", rows);
    });
  }
  if (what == "namespaces" && parts.size() >= 2) {
    if (m == "DELETE") {
      return answer(change("namespace del", joined(parts, 1), [&](Accounts& a) {
        scope.require_everything("dropping a namespace's settings (its quota among them)");
        a.remove_namespace(joined(parts, 1));
        return json();
      }));
    }
    expect(req, "PATCH", "PATCH, DELETE");
    return with_body([change, scope, name = joined(parts, 1)](const json& body) {
      auto settings = body.get<access::NamespaceChange>();
      return change("namespace set", name, [&](Accounts& a) {
        require_covers(scope, name);
        // Quotas share the disk between namespaces: an admin of one may
        // not raise its own.
        if (settings.set.quota || std::count(settings.inherit.begin(), settings.inherit.end(),
                                             access::NamespaceField::kQuota)) {
          scope.require_everything("a namespace's quota");
        }
        a.change_namespace(name, settings);
        return json();
      });
    });
  }
  throw Error(ErrorCode::kNameUnknown,
              "no such endpoint: " + std::string(req.path().substr(0, 300)) +
                  "; Ferry's API has /ferry/v1/imports, status, audit, users, tokens, grants and "
                  "namespaces");
}

}  // namespace ferry::api

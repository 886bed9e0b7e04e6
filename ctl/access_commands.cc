#include "ctl/access_commands.h"

#include <ctime>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "access/accounts.h"
#include "core/units.h"
#include "runtime/data_dir.h"
#include "runtime/exit_codes.h"
#include "runtime/fail.h"

namespace ferry::ctl {
namespace {

using access::AccessError;
using access::AccessErrorKind;
using access::Accounts;

constexpr int kExists = 8;   // the user (or token) is already there
constexpr int kUnknown = 9;  // no such user, token or grant

int64_t now_unix() {
  return static_cast<int64_t>(std::time(nullptr));
}

// The password is the first line of stdin, so scripts can pipe it in and it
// never appears in argv or the shell history.
std::string read_password() {
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

std::string when(std::optional<int64_t> t) {
  return t ? format_utc(*t) : "-";
}

// Everything the user asked for, filled in by CLI11, then run by `run`.
struct Request {
  std::string user, name_space, role, token_id, expires, description, anonymous, import, quota;
  std::vector<std::string> immutable;
  int64_t limit = 50;
  bool json = false;
};

using Action =
    std::function<std::string(access::Admin&, const Request&)>;  // returns the audit target

// What a refused change was aimed at, for the audit log.
std::string attempted(const Request& r) {
  std::string out;
  for (const auto* part : {&r.user, &r.token_id, &r.name_space}) {
    if (!part->empty()) out += (out.empty() ? "" : " ") + *part;
  }
  return out;
}

int exit_code_of(const AccessError& e) {
  switch (e.kind()) {
    case AccessErrorKind::kExists: return kExists;
    case AccessErrorKind::kUnknown: return kUnknown;
    case AccessErrorKind::kInvalid: break;
  }
  return kUsage;
}

}  // namespace

std::function<int(const DaemonConfig&, const RemoteOptions*)> add_access_commands(CLI::App& app) {
  auto req = std::make_shared<Request>();
  auto chosen = std::make_shared<std::pair<std::string, Action>>();  // action name, work
  auto on = [chosen](CLI::App* cmd, std::string action, Action work) {
    cmd->callback([chosen, action, work] { *chosen = {action, work}; });
  };

  auto* user =
      app.add_subcommand("user", "Users who log in with a password")->require_subcommand(1);
  auto* add = user->add_subcommand("add", "Add a user; the password is read from stdin");
  add->add_option("name", req->user)->required();
  on(add, "user add", [](access::Admin& a, const Request& r) {
    a.add_user(r.user, read_password());
    return r.user;
  });
  auto* passwd = user->add_subcommand("passwd", "Set a user's password, read from stdin");
  passwd->add_option("name", req->user)->required();
  on(passwd, "user passwd", [](access::Admin& a, const Request& r) {
    a.set_password(r.user, read_password());
    return r.user;
  });
  auto* del = user->add_subcommand("del", "Remove a user with their tokens and roles");
  del->add_option("name", req->user)->required();
  on(del, "user del", [](access::Admin& a, const Request& r) {
    a.remove_user(r.user);
    return r.user;
  });
  auto* ulist = user->add_subcommand("list", "List users");
  on(ulist, "", [](access::Admin& a, const Request&) {
    for (const auto& u : a.users())
      std::printf("%s\t%s\n", u.name.c_str(), format_utc(u.created_at).c_str());
    return std::string();
  });

  auto* token =
      app.add_subcommand("token", "Robot tokens for CI and devices")->require_subcommand(1);
  auto* create = token->add_subcommand("create", "Create a token for a user; it is shown once");
  create->add_option("--user", req->user, "Whose rights the token carries")->required();
  create->add_option("--expires", req->expires, "Lifetime, e.g. 90d (default: never)");
  create->add_option("--description", req->description, "What it is for");
  on(create, "token create", [](access::Admin& a, const Request& r) {
    access::TokenRequest request{r.user, {}, r.description};
    if (!r.expires.empty()) {
      auto d = parse_duration(r.expires);
      if (!d || d->count() == 0) {
        throw AccessError(AccessErrorKind::kInvalid,
                          "--expires '" + r.expires + "' is not a duration such as 90d or 12h");
      }
      request.lifetime = *d;
    }
    auto t = a.create_token(request);
    std::printf("%s\n", t.secret.c_str());
    std::fprintf(stderr, "token %s for %s%s; it is shown only now\n", t.id.c_str(), r.user.c_str(),
                 t.expires_at ? (", expires " + format_utc(*t.expires_at)).c_str() : "");
    return "token " + t.id + " of " + r.user;
  });
  auto* tlist = token->add_subcommand("list", "List tokens (never their secrets)");
  on(tlist, "", [](access::Admin& a, const Request&) {
    for (const auto& t : a.tokens()) {
      std::string state = t.revoked_at                                    ? "revoked"
                          : (t.expires_at && now_unix() >= *t.expires_at) ? "expired"
                                                                          : "active";
      std::printf("%s\t%s\t%s\texpires %s\t%s\n", t.id.c_str(), t.user.c_str(), state.c_str(),
                  when(t.expires_at).c_str(), t.description.c_str());
    }
    return std::string();
  });
  auto* trevoke = token->add_subcommand("revoke", "Revoke a token at once");
  trevoke->add_option("id", req->token_id)->required();
  on(trevoke, "token revoke", [](access::Admin& a, const Request& r) {
    a.revoke_token(r.token_id);
    return "token " + r.token_id;
  });

  auto* grant = app.add_subcommand("grant", "Give a user a role in a namespace (or * for all)");
  grant->add_option("user", req->user)->required();
  grant->add_option("namespace", req->name_space)->required();
  grant->add_option("role", req->role, "reader, writer, maintainer or admin")->required();
  on(grant, "grant", [](access::Admin& a, const Request& r) {
    auto role = access::parse_role(r.role);
    if (!role) {
      throw AccessError(AccessErrorKind::kInvalid,
                        "role '" + r.role + "' is not reader, writer, maintainer or admin");
    }
    a.grant(r.user, r.name_space, *role);
    return r.user + " " + r.name_space + " " + r.role;
  });
  auto* revoke = app.add_subcommand("revoke", "Take a user's role in a namespace away");
  revoke->add_option("user", req->user)->required();
  revoke->add_option("namespace", req->name_space)->required();
  on(revoke, "revoke", [](access::Admin& a, const Request& r) {
    a.revoke(r.user, r.name_space);
    return r.user + " " + r.name_space;
  });
  auto* grants = app.add_subcommand("grants", "List every role given");
  on(grants, "", [](access::Admin& a, const Request&) {
    for (const auto& g : a.grants()) {
      std::printf("%s\t%s\t%s\n", g.user.c_str(), g.name_space.c_str(),
                  std::string(access::role_name(g.role)).c_str());
    }
    return std::string();
  });

  auto* ns = app.add_subcommand("namespace", "Per-namespace settings")->require_subcommand(1);
  auto* set = ns->add_subcommand("set", "Change a namespace's settings");
  set->add_option("namespace", req->name_space)->required();
  set->add_option("--anonymous-pull", req->anonymous, "on, off, or inherit (follow '*')");
  set->add_option("--import", req->import,
                  "on, off, or inherit: whether bundles may publish here once users exist "
                  "(default off)");
  set->add_option("--quota", req->quota, "Storage quota, e.g. 20GiB, none, or inherit");
  set->add_option("--immutable", req->immutable,
                  "Tag pattern that cannot be overwritten or deleted (repeatable), none, or "
                  "inherit")
      ->allow_extra_args(false);
  on(set, "namespace set", [](access::Admin& a, const Request& r) {
    access::NamespaceChange change;
    access::NamespaceSettings& to = change.set;
    // Each option takes a value, or "inherit" to follow namespace '*' again.
    auto option = [&](const std::string& text, access::NamespaceField field, auto assign) {
      if (text.empty()) return;
      if (text == "inherit") {
        change.inherit.push_back(field);
      } else {
        assign(text);
      }
    };
    auto on_off = [](const char* name, const std::string& text) {
      if (text != "on" && text != "off") {
        throw AccessError(AccessErrorKind::kInvalid,
                          std::string(name) + " takes on, off or inherit, not '" + text + "'");
      }
      return text == "on";
    };
    option(r.anonymous, access::NamespaceField::kAnonymousPull,
           [&](const std::string& t) { to.anonymous_pull = on_off("--anonymous-pull", t); });
    option(r.import, access::NamespaceField::kImport,
           [&](const std::string& t) { to.import_allowed = on_off("--import", t); });
    option(r.quota, access::NamespaceField::kQuota, [&](const std::string& t) {
      if (t == "none") {
        to.quota = access::Quota();
      } else if (auto q = parse_size(t)) {
        to.quota = access::Quota(*q);
      } else {
        throw AccessError(AccessErrorKind::kInvalid,
                          "--quota '" + t + "' is not a size such as 20GiB, none or inherit");
      }
    });
    if (r.immutable == std::vector<std::string>{"inherit"}) {
      change.inherit.push_back(access::NamespaceField::kImmutable);
    } else if (!r.immutable.empty()) {
      to.immutable = r.immutable == std::vector<std::string>{"none"} ? std::vector<std::string>()
                                                                     : r.immutable;
    }
    a.change_namespace(r.name_space, change);
    return r.name_space;
  });
  auto* ndel = ns->add_subcommand("del", "Drop a namespace's settings: each follows '*' again");
  ndel->add_option("namespace", req->name_space)->required();
  on(ndel, "namespace del", [](access::Admin& a, const Request& r) {
    a.remove_namespace(r.name_space);
    return r.name_space;
  });
  auto* nlist = ns->add_subcommand("list", "List namespaces and their settings");
  on(nlist, "", [](access::Admin& a, const Request&) {
    // A setting left unset shows as "as *", or in "*" itself as "default".
    std::string unset;
    auto shown = [&unset](const auto& setting, auto format) -> std::string {
      return setting ? format(*setting) : unset;
    };
    auto on_off = [](bool enabled) -> std::string { return enabled ? "on" : "off"; };
    for (const auto& n : a.namespaces()) {
      const access::NamespaceSettings& s = n.settings;
      unset = n.name == "*" ? "default" : "as *";
      std::string pull = shown(s.anonymous_pull, on_off);
      std::string import = shown(s.import_allowed, on_off);
      std::string quota = shown(s.quota, [](const access::Quota& q) -> std::string {
        return q ? format_size(*q) : "none";
      });
      std::string immutable = shown(s.immutable, [](const std::vector<std::string>& patterns) {
        std::string out;
        for (const auto& p : patterns) out += (out.empty() ? "" : ",") + p;
        return out.empty() ? std::string("none") : out;
      });
      std::printf("%s\tanonymous-pull %s\timport %s\tquota %s\timmutable %s\n", n.name.c_str(),
                  pull.c_str(), import.c_str(), quota.c_str(), immutable.c_str());
    }
    return std::string();
  });

  auto* audit = app.add_subcommand("audit", "Show the audit log, newest first");
  audit->add_option("-n,--limit", req->limit, "How many entries (default 50)")
      ->check(CLI::Range(1, 1000000));
  audit->add_flag("--json", req->json, "Machine-readable output");
  on(audit, "", [](access::Admin& a, const Request& r) {
    auto rows = a.audit_log(r.limit);
    if (r.json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& e : rows) {
        out.push_back({{"at", format_utc(e.at)},
                       {"actor", e.actor},
                       {"action", e.action},
                       {"target", e.target},
                       {"client", e.client},
                       {"result", e.result},
                       {"detail", e.detail}});
      }
      std::printf("%s\n", out.dump(2).c_str());
    } else {
      for (const auto& e : rows) {
        std::printf("%s\t%s\t%s\t%s\t%s\t%s%s%s\n", format_utc(e.at).c_str(), e.actor.c_str(),
                    e.client.c_str(), e.action.c_str(), e.target.c_str(), e.result.c_str(),
                    e.detail.empty() ? "" : "\t", e.detail.c_str());
      }
    }
    return std::string();
  });

  return [req, chosen](const DaemonConfig& config, const RemoteOptions* remote) -> int {
    if (!chosen->second) return -1;
    const std::string& action = chosen->first;
    if (remote) {
      // ferryd audits the change under the caller's name.
      try {
        RemoteAdmin admin(*remote);
        chosen->second(admin, *req);
      } catch (const AccessError& e) {
        return fail(exit_code_of(e), e.what());
      } catch (const RemoteError& e) {
        return fail(e.exit_code(), e.what());
      }
      return static_cast<int>(kOk);
    }
    if (!act_as_data_dir_owner(config.data_dir)) return kStorage;
    std::string error;
    auto store = open_store_beside_server(config, &error);
    if (!store) return fail(kStorage, error);
    return store->with_database([&](sql::Database& db) {
      Accounts accounts(db);
      access::AuditRow row{now_unix(), access::local_actor("ferryctl"), action, "", "local", "ok",
                           ""};
      try {
        row.target = chosen->second(accounts, *req);
      } catch (const AccessError& e) {
        if (!action.empty()) {
          row.target = attempted(*req);
          row.result = "refused";
          row.detail = e.what();
          accounts.audit(row);
        }
        return fail(exit_code_of(e), e.what());
      }
      if (!action.empty()) accounts.audit(row);
      return static_cast<int>(kOk);
    });
  };
}

}  // namespace ferry::ctl

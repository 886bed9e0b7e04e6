// ferryctl grant | revoke | grants: roles per user and namespace.
#include <cstdio>
#include <memory>

#include "core/printable.h"
#include "ctl/commands.h"

namespace ferry::ctl {
namespace {

using access::AccessErrorKind;

struct Options {
  std::string user, name_space, role;
  std::string who() const { return user + " " + name_space; }
};

std::string grant(access::Admin& a, const Options& o) {
  auto role = access::parse_role(o.role);
  if (!role) {
    throw Error(AccessErrorKind::kInvalid,
                "role '" + o.role + "' is not reader, writer, maintainer or admin");
  }
  a.grant(o.user, o.name_space, *role);
  return o.who() + " " + o.role;
}

std::string list(access::Admin& a) {
  for (const auto& g : a.grants()) {
    std::printf("%s\t%s\t%s\n", printable(g.user).c_str(), printable(g.name_space).c_str(),
                std::string(access::role_name(g.role)).c_str());
  }
  return std::string();
}

}  // namespace

void add_grant_commands(CLI::App& app, Commands& commands) {
  auto o = std::make_shared<Options>();
  auto attempted = [o] { return o->who(); };
  auto* give = app.add_subcommand("grant", "Give a user a role in a namespace (or * for all)");
  give->add_option("user", o->user)->required();
  give->add_option("namespace", o->name_space)->required();
  give->add_option("role", o->role, "reader, writer, maintainer or admin")->required();
  commands.on(give, {"grant", attempted, [o](access::Admin& a) { return grant(a, *o); }});
  auto* take = app.add_subcommand("revoke", "Take a user's role in a namespace away");
  take->add_option("user", o->user)->required();
  take->add_option("namespace", o->name_space)->required();
  commands.on(take, {"revoke", attempted, [o](access::Admin& a) {
                       a.revoke(o->user, o->name_space);
                       return o->who();
                     }});
  auto* show = app.add_subcommand("grants", "List every role given");
  commands.on(show, {"", nullptr, list});
}

}  // namespace ferry::ctl

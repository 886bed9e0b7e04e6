// ferryctl token create | list | revoke: robot tokens for CI and devices.
#include <cstdio>
#include <ctime>
#include <memory>

#include "core/printable.h"
#include "core/units.h"
#include "ctl/commands.h"

namespace ferry::ctl {
namespace {

using access::AccessErrorKind;

struct Options {
  std::string user, id, expires, description;
};

std::string when(std::optional<int64_t> t) {
  return t ? format_utc(*t) : "-";
}

std::string create(access::Admin& a, const Options& o) {
  access::TokenRequest request{o.user, {}, o.description};
  if (!o.expires.empty()) {
    auto d = parse_duration(o.expires);
    if (!d || d->count() == 0) {
      throw Error(AccessErrorKind::kInvalid,
                  "--expires '" + o.expires + "' is not a duration such as 90d or 12h");
    }
    request.lifetime = *d;
  }
  auto t = a.create_token(request);
  std::printf("%s\n", t.secret.c_str());
  std::fprintf(stderr, "token %s for %s%s; it is shown only now\n", printable(t.id).c_str(),
               printable(o.user).c_str(),
               t.expires_at ? (", expires " + format_utc(*t.expires_at)).c_str() : "");
  return "token " + t.id + " of " + o.user;
}

std::string list(access::Admin& a) {
  const auto now = static_cast<int64_t>(std::time(nullptr));
  for (const auto& t : a.tokens()) {
    std::string state = t.revoked_at                             ? "revoked"
                        : (t.expires_at && now >= *t.expires_at) ? "expired"
                                                                 : "active";
    std::printf("%s\t%s\t%s\texpires %s\t%s\n", printable(t.id).c_str(), printable(t.user).c_str(),
                state.c_str(), when(t.expires_at).c_str(), printable(t.description).c_str());
  }
  return std::string();
}

}  // namespace

void add_token_commands(CLI::App& app, Commands& commands) {
  auto o = std::make_shared<Options>();
  auto* token =
      app.add_subcommand("token", "Robot tokens for CI and devices")->require_subcommand(1);
  auto* make = token->add_subcommand("create", "Create a token for a user; it is shown once");
  make->add_option("--user", o->user, "Whose rights the token carries")->required();
  make->add_option("--expires", o->expires, "Lifetime, e.g. 90d (default: never)");
  make->add_option("--description", o->description, "What it is for");
  commands.on(make, {"token create", [o] { return o->user; },
                     [o](access::Admin& a) { return create(a, *o); }});
  auto* show = token->add_subcommand("list", "List tokens (never their secrets)");
  commands.on(show, {"", nullptr, list});
  auto* revoke = token->add_subcommand("revoke", "Revoke a token at once");
  revoke->add_option("id", o->id)->required();
  commands.on(revoke, {"token revoke", [o] { return o->id; },
                       [o](access::Admin& a) {
                         a.revoke_token(o->id);
                         return "token " + o->id;
                       }});
}

}  // namespace ferry::ctl

// ferryctl user add | passwd | del | list: users who log in with a password.
#include <cstdio>
#include <iostream>
#include <memory>

#include "core/printable.h"
#include "core/units.h"
#include "ctl/commands.h"

namespace ferry::ctl {
namespace {

// The password is the first line of stdin, so scripts can pipe it in and it
// never appears in argv or the shell history.
std::string read_password() {
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

void add_user_commands(CLI::App& app, Commands& commands) {
  auto name = std::make_shared<std::string>();
  auto attempted = [name] { return *name; };
  auto* user =
      app.add_subcommand("user", "Users who log in with a password")->require_subcommand(1);
  auto* add = user->add_subcommand("add", "Add a user; the password is read from stdin");
  add->add_option("name", *name)->required();
  commands.on(add, {"user add", attempted, [name](access::Admin& a) {
                      a.add_user(*name, read_password());
                      return *name;
                    }});
  auto* passwd = user->add_subcommand("passwd", "Set a user's password, read from stdin");
  passwd->add_option("name", *name)->required();
  commands.on(passwd, {"user passwd", attempted, [name](access::Admin& a) {
                         a.set_password(*name, read_password());
                         return *name;
                       }});
  auto* del = user->add_subcommand("del", "Remove a user with their tokens and roles");
  del->add_option("name", *name)->required();
  commands.on(del, {"user del", attempted, [name](access::Admin& a) {
                      a.remove_user(*name);
                      return *name;
                    }});
  auto* list = user->add_subcommand("list", "List users");
  commands.on(list, {"", attempted, [](access::Admin& a) {
                       for (const auto& u : a.users())
                         std::printf("%s\t%s\n", printable(u.name).c_str(),
                                     format_utc(u.created_at).c_str());
                       return std::string();
                     }});
}

}  // namespace ferry::ctl

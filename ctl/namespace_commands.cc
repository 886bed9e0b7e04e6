// ferryctl namespace set | del | list: per-namespace settings.
#include <algorithm>
#include <cstdio>
#include <memory>

#include "core/printable.h"
#include "core/units.h"
#include "ctl/commands.h"

namespace ferry::ctl {
namespace {

using access::AccessErrorKind;
using access::NamespaceField;

struct Options {
  std::string name_space, anonymous, import, quota;
  std::vector<std::string> immutable;
};

bool on_off(const char* option, const std::string& text) {
  if (text != "on" && text != "off") {
    throw Error(AccessErrorKind::kInvalid,
                std::string(option) + " takes on, off or inherit, not '" + text + "'");
  }
  return text == "on";
}

access::Quota quota(const std::string& text) {
  if (text == "none") return access::Quota();
  if (auto q = parse_size(text)) return access::Quota(*q);
  throw Error(AccessErrorKind::kInvalid,
              "--quota '" + text + "' is not a size such as 20GiB, none or inherit");
}

// What the options ask: each takes a value, or "inherit" to follow '*' again.
access::NamespaceChange change_of(const Options& o) {
  access::NamespaceChange change;
  access::NamespaceSettings& to = change.set;
  auto option = [&](const std::string& text, NamespaceField field, auto assign) {
    if (text.empty()) return;
    if (text == "inherit") {
      change.inherit.push_back(field);
    } else {
      assign(text);
    }
  };
  option(o.anonymous, NamespaceField::kAnonymousPull,
         [&](const std::string& t) { to.anonymous_pull = on_off("--anonymous-pull", t); });
  option(o.import, NamespaceField::kImport,
         [&](const std::string& t) { to.import_allowed = on_off("--import", t); });
  option(o.quota, NamespaceField::kQuota, [&](const std::string& t) { to.quota = quota(t); });
  bool keyword = std::count(o.immutable.begin(), o.immutable.end(), "none") +
                     std::count(o.immutable.begin(), o.immutable.end(), "inherit") >
                 0;
  if (keyword && o.immutable.size() > 1) {
    throw Error(AccessErrorKind::kInvalid,
                "--immutable none or inherit stands alone, not beside tag patterns");
  }
  if (o.immutable == std::vector<std::string>{"inherit"}) {
    change.inherit.push_back(NamespaceField::kImmutable);
  } else if (!o.immutable.empty()) {
    to.immutable =
        o.immutable == std::vector<std::string>{"none"} ? std::vector<std::string>() : o.immutable;
  }
  return change;
}

// A setting left unset shows as "as *", or in "*" itself as "default".
std::string list(access::Admin& a) {
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
    std::printf("%s\tanonymous-pull %s\timport %s\tquota %s\timmutable %s\n",
                printable(n.name).c_str(), pull.c_str(), import.c_str(), quota.c_str(),
                printable(immutable).c_str());
  }
  return std::string();
}

}  // namespace

void add_namespace_commands(CLI::App& app, Commands& commands) {
  auto o = std::make_shared<Options>();
  auto attempted = [o] { return o->name_space; };
  auto* ns = app.add_subcommand("namespace", "Per-namespace settings")->require_subcommand(1);
  auto* set = ns->add_subcommand("set", "Change a namespace's settings");
  set->add_option("namespace", o->name_space)->required();
  set->add_option("--anonymous-pull", o->anonymous, "on, off, or inherit (follow '*')");
  set->add_option("--import", o->import,
                  "on, off, or inherit: whether bundles may publish here once users exist "
                  "(default off)");
  set->add_option("--quota", o->quota, "Storage quota, e.g. 20GiB, none, or inherit");
  set->add_option("--immutable", o->immutable,
                  "Tag pattern that cannot be overwritten or deleted (repeatable), none, or "
                  "inherit")
      ->allow_extra_args(false);
  commands.on(set, {"namespace set", attempted, [o](access::Admin& a) {
                      a.change_namespace(o->name_space, change_of(*o));
                      return o->name_space;
                    }});
  auto* del = ns->add_subcommand("del", "Drop a namespace's settings: each follows '*' again");
  del->add_option("namespace", o->name_space)->required();
  commands.on(del, {"namespace del", attempted, [o](access::Admin& a) {
                      a.remove_namespace(o->name_space);
                      return o->name_space;
                    }});
  auto* show = ns->add_subcommand("list", "List namespaces and their settings");
  commands.on(show, {"", nullptr, list});
}

}  // namespace ferry::ctl

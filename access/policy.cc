#include "access/policy.h"

#include <fnmatch.h>

#include <algorithm>
#include <set>

namespace ferry::access {
namespace {

Role needed(Action action) {
  switch (action) {
    case Action::kPull: return Role::kReader;
    case Action::kPush: return Role::kWriter;
    case Action::kRetag:
    case Action::kDelete: return Role::kMaintainer;
  }
  return Role::kAdmin;
}

std::string_view verb(Action action) {
  switch (action) {
    case Action::kPull: return "pull from";
    case Action::kPush: return "push to";
    case Action::kRetag: return "move tags in";
    case Action::kDelete: return "delete from";
  }
  return "use";
}

}  // namespace

Mode mode_of(bool auth_open, bool loopback, bool has_users) {
  if (auth_open) return Mode::kOpen;
  if (!has_users) return loopback ? Mode::kOpen : Mode::kLocked;
  return Mode::kEnforced;
}

Policy Policy::load(Accounts& accounts, bool open) {
  Policy p;
  p.open_ = open;
  p.has_users_ = !accounts.users().empty();
  for (auto& n : accounts.namespaces()) p.namespaces_[n.name] = std::move(n.settings);
  for (const auto& g : accounts.grants()) p.grants_[{g.user, g.name_space}] = g.role;
  std::set<std::string> prefixes;
  for (const auto& [name, row] : p.namespaces_) {
    if (name.find('/') != std::string::npos) prefixes.insert(name);
  }
  for (const auto& [key, role] : p.grants_) {
    if (key.second.find('/') != std::string::npos) prefixes.insert(key.second);
  }
  p.prefixes_.assign(prefixes.begin(), prefixes.end());
  std::stable_sort(p.prefixes_.begin(), p.prefixes_.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return p;
}

std::string Policy::namespace_of(std::string_view repository) const {
  for (const auto& prefix : prefixes_) {
    if (repository == prefix ||
        (repository.size() > prefix.size() && repository.substr(0, prefix.size()) == prefix &&
         repository[prefix.size()] == '/')) {
      return prefix;
    }
  }
  return std::string(repository.substr(0, repository.find('/')));
}

namespace {

// The largest key below `key` that no repository name can fall between:
// its last character minus one, then above the alphabet ([a-z0-9._/-]).
std::string just_below(const std::string& key) {
  return key.substr(0, key.size() - 1) + static_cast<char>(key.back() - 1) + "\x7f";
}

}  // namespace

std::string Policy::namespace_end(std::string_view repository) const {
  std::string ns = namespace_of(repository);
  // "NS" itself is followed by "NS-x" and "NS.x", other namespaces.
  if (repository == ns) return ns;
  // Every "NS/..." name sorts below "NS/\x7f": the alphabet stops at 'z'.
  std::string end = ns + "/\x7f";
  for (const auto& sub : prefixes_) {
    if (sub.size() <= ns.size() + 1 || sub.compare(0, ns.size() + 1, ns + "/") != 0) continue;
    // A sub-namespace holds "SUB" and "SUB/...": stop short of whichever
    // part still lies ahead.
    for (const std::string& part : {sub, sub + "/"}) {
      if (part > repository) {
        end = std::min(end, std::max(just_below(part), std::string(repository)));
        break;
      }
    }
  }
  return end;
}

std::vector<std::string> Policy::prefixes() const {
  std::vector<std::string> sorted = prefixes_;
  std::sort(sorted.begin(), sorted.end());
  return sorted;
}

template <typename T>
std::optional<T> Policy::setting(const std::string& name_space,
                                 std::optional<T> NamespaceSettings::*field) const {
  for (const std::string& key : {name_space, std::string("*")}) {
    auto it = namespaces_.find(key);
    if (it != namespaces_.end() && it->second.*field) return it->second.*field;
  }
  return std::nullopt;
}

std::optional<Role> Policy::role(const std::string& user, const std::string& name_space) const {
  std::optional<Role> best;
  for (const std::string& key : {name_space, std::string("*")}) {
    if (auto it = grants_.find({user, key}); it != grants_.end()) {
      best = best ? std::max(*best, it->second) : it->second;
    }
  }
  return best;
}

Decision Policy::decide(const std::optional<std::string>& user, Action action,
                        std::string_view repository) const {
  if (open_) return {true, false, {}};
  std::string ns = namespace_of(repository);
  // Whoever may pull anonymously may pull logged in too: a client that
  // sends its login everywhere must not lose the public namespaces.
  if (action == Action::kPull && setting(ns, &NamespaceSettings::anonymous_pull).value_or(false)) {
    return {true, false, {}};
  }
  if (!user) {
    return {false, true,
            "log in to " + std::string(verb(action)) + " '" + std::string(repository) + "'"};
  }
  auto held = role(*user, ns);
  if (held && *held >= needed(action)) return {true, false, {}};
  std::string why = "user '" + *user + "' may not " + std::string(verb(action)) + " '" +
                    std::string(repository) + "': that needs the " +
                    std::string(role_name(needed(action))) + " role in namespace '" + ns + "'";
  why += held ? ", and they are " + std::string(role_name(*held)) : ", and they have no role there";
  return {false, false, why};
}

bool Policy::immutable(std::string_view repository, std::string_view tag) const {
  auto patterns = setting(namespace_of(repository), &NamespaceSettings::immutable);
  if (!patterns) return false;
  std::string t(tag);
  return std::any_of(patterns->begin(), patterns->end(), [&](const std::string& pattern) {
    return ::fnmatch(pattern.c_str(), t.c_str(), 0) == 0;
  });
}

std::optional<uint64_t> Policy::quota(std::string_view repository) const {
  return setting(namespace_of(repository), &NamespaceSettings::quota).value_or(Quota());
}

Decision Policy::may_import(std::string_view repository) const {
  if (open_) return {true, false, {}};
  std::string ns = namespace_of(repository);
  if (setting(ns, &NamespaceSettings::import_allowed).value_or(false)) return {true, false, {}};
  return {false, false,
          "namespace '" + ns + "' does not take imports (" + std::string(repository) +
              "); allow them with ferryctl namespace set " + ns + " --import on (or '*')"};
}

std::vector<std::string> Policy::administered_by(const std::string& user) const {
  std::vector<std::string> out;
  for (const auto& [key, role] : grants_) {
    if (key.first == user && role == Role::kAdmin) out.push_back(key.second);
  }
  return out;  // sorted: grants_ is ordered by (user, namespace)
}

bool Policy::is_admin(const std::string& user) const {
  auto it = grants_.find({user, "*"});
  return it != grants_.end() && it->second == Role::kAdmin;
}

}  // namespace ferry::access

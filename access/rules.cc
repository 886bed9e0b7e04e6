#include "access/rules.h"

#include "core/units.h"

namespace ferry::access {
namespace {

constexpr auto kReloadEvery = std::chrono::seconds(1);

const char* const kLocked =
    "pushes, deletes and imports are refused: no users are defined and ferryd listens beyond "
    "loopback; create an admin (ferryctl user add NAME, then ferryctl grant NAME '*' admin) and "
    "allow imports (ferryctl namespace set '*' --import on), or set auth.open = true";

}  // namespace

Rules::Rules(sql::Pool& pool, RulesOptions options)
    : accounts_(pool), options_(std::move(options)) {
  snapshot_ = load(accounts_, accounts_.version());
  checked_ = std::chrono::steady_clock::now();
}

std::shared_ptr<const Rules::Snapshot> Rules::load(Accounts& accounts, int64_t version) const {
  auto next = std::make_shared<Snapshot>();
  next->version = version;
  next->policy = Policy::load(accounts, options_.open);
  // Loopback only if both this process and the last ferryd serve say so:
  // an import run by hand without the service's config is not the open
  // development default of a box that serves its LAN.
  bool loopback = options_.loopback && !accounts.served_beyond_loopback();
  next->mode = mode_of(options_.open, loopback, next->policy.has_users());
  return next;
}

std::shared_ptr<const Rules::Snapshot> Rules::snapshot() {
  std::lock_guard lock(mu_);
  auto now = std::chrono::steady_clock::now();
  if (now - checked_ < kReloadEvery) return snapshot_;
  checked_ = now;
  try {
    int64_t version = accounts_.version();
    if (version != snapshot_->version) snapshot_ = load(accounts_, version);
  } catch (const std::exception& e) {
    if (options_.on_reload_error) options_.on_reload_error(e.what());
  }
  return snapshot_;
}

void Rules::refresh() {
  std::lock_guard lock(mu_);
  checked_ = {};
}

Decision Rules::may(const std::optional<std::string>& user, Action action,
                    std::string_view repository) {
  auto snap = snapshot();
  switch (snap->mode) {
    case Mode::kOpen: return {true, false, {}};
    case Mode::kLocked:
      if (action == Action::kPull) return {true, false, {}};
      return {false, false, kLocked};
    case Mode::kEnforced: break;
  }
  return snap->policy.decide(user, action, repository);
}

Decision Rules::may_import(std::string_view repository) {
  auto snap = snapshot();
  switch (snap->mode) {
    case Mode::kOpen: return {true, false, {}};
    case Mode::kLocked: return {false, false, kLocked};
    case Mode::kEnforced: break;
  }
  return snap->policy.may_import(repository);
}

Decision Rules::may_move_tag(std::string_view repository, std::string_view tag,
                             std::string_view from, std::string_view to) {
  auto snap = snapshot();
  if (!snap->policy.immutable(repository, tag)) return {true, false, {}};
  std::string name = std::string(repository) + ":" + std::string(tag);
  std::string ns = snap->policy.namespace_of(repository);
  if (to.empty()) {
    return {false, false,
            "this would delete tag " + name + ", but the tag is immutable in namespace '" + ns +
                "'; change the namespace's immutable patterns first (ferryctl namespace set) if "
                "it must go"};
  }
  return {false, false,
          "this would move tag " + name + " from " + std::string(from) + " to " + std::string(to) +
              ", but the tag is immutable in namespace '" + ns +
              "'; publish it under a new tag instead, or change the namespace's immutable "
              "patterns (ferryctl namespace set)"};
}

Decision Rules::within_quota(std::string_view repository,
                             const std::function<NamespaceUse(const std::string&)>& use) {
  auto snap = snapshot();
  auto quota = snap->policy.quota(repository);
  if (!quota) return {true, false, {}};
  std::string ns = snap->policy.namespace_of(repository);
  NamespaceUse u = use(ns);
  // Written so that no sum can wrap, whatever the numbers.
  if (u.adds <= *quota && u.used <= *quota - u.adds) return {true, false, {}};
  std::string held;
  if (u.held > 0) {
    held = ", " + format_size(u.held) +
           " of it in open uploads until they finish, are cancelled or expire";
  }
  return {false, false,
          "namespace '" + ns + "' would go over its quota of " + format_size(*quota) + " (" +
              format_size(u.used) + " used" + held + ", this adds " + format_size(u.adds) +
              "); delete images there and run ferryctl gc, or raise it with ferryctl "
              "namespace set " +
              ns + " --quota SIZE"};
}

bool Rules::immutable(std::string_view repository, std::string_view tag) {
  return snapshot()->policy.immutable(repository, tag);
}

std::string Rules::namespace_of(std::string_view repository) {
  return snapshot()->policy.namespace_of(repository);
}

std::string Rules::namespace_end(std::string_view repository) {
  return snapshot()->policy.namespace_end(repository);
}

}  // namespace ferry::access

// The write rules in one place (docs/access.md): the access mode, who may
// do what, namespace quotas, immutable tags and where imports may land.
// The HTTP gate (daemon/api/gate.h), the importer and GC retention all ask
// one Rules, so a refusal reads the same whichever way the write came.
// Decisions come from a snapshot of the access tables, re-read when their
// version changes (checked at most once a second), with no query per
// request.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "access/accounts.h"
#include "access/policy.h"
#include "core/sql_pool.h"

namespace ferry::access {

struct RulesOptions {
  bool open = false;     // auth.open: everything allowed (immutable tags and quotas hold)
  bool loopback = true;  // listening on loopback only (for an import: its configuration)
  // Told why a re-read of the tables failed; the last snapshot stays in use.
  std::function<void(const std::string& why)> on_reload_error;
};

// What a write adds to a namespace and what the namespace holds already.
struct NamespaceUse {
  uint64_t used = 0;
  uint64_t adds = 0;
  uint64_t held = 0;  // of `used`, the bytes open uploads and writes in flight hold
};

class Rules {
 public:
  struct Snapshot {
    Policy policy;
    Mode mode = Mode::kOpen;
    int64_t version = -1;  // access_state's version it was read at
  };

  // Reads the access tables at once: throws when they cannot be read, so
  // nothing is ever decided without rules.
  Rules(sql::Pool& pool, RulesOptions options);

  // The current snapshot (see above); never null.
  std::shared_ptr<const Snapshot> snapshot();
  // Makes the next snapshot() look at the tables again (after an admin change).
  void refresh();

  // The mode, then the caller's role: may `user` (empty: anonymous) do
  // `action` to the repository? need_login is set for an anonymous caller
  // who might be allowed after logging in.
  Decision may(const std::optional<std::string>& user, Action action, std::string_view repository);
  // The mode, then the namespace's import setting: may a bundle publish
  // into the repository?
  Decision may_import(std::string_view repository);
  // May the tag move from `from` to `to` (digests; `to` empty: the tag is
  // deleted)? Refused for a tag its namespace marks immutable, in every mode.
  Decision may_move_tag(std::string_view repository, std::string_view tag, std::string_view from,
                        std::string_view to);
  // May a write add to the repository's namespace? `use` is asked only when
  // the namespace has a quota. Holds in every mode.
  Decision within_quota(std::string_view repository,
                        const std::function<NamespaceUse(const std::string& name_space)>& use);
  // True when the tag matches an immutable pattern of its namespace: GC
  // retention keeps such a tag whatever its rules say.
  bool immutable(std::string_view repository, std::string_view tag);
  std::string namespace_of(std::string_view repository);
  // Policy::namespace_end on the current snapshot.
  std::string namespace_end(std::string_view repository);

 private:
  std::shared_ptr<const Snapshot> load(Accounts& accounts, int64_t version) const;

  Accounts accounts_;
  RulesOptions options_;
  std::mutex mu_;
  std::shared_ptr<const Snapshot> snapshot_;
  std::chrono::steady_clock::time_point checked_{};
};

}  // namespace ferry::access

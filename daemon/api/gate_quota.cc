// The gate's part in bounding disk use by writes in progress: the limits on
// open upload sessions, and the namespace quota counting what open uploads
// and writes in flight hold (docs/access.md, "Quotas").
#include "core/units.h"
#include "daemon/api/gate.h"

namespace ferry::api {
namespace {

std::string for_how_long(std::chrono::seconds expire_after) {
  if (expire_after.count() <= 0) return "";
  return " (after " + std::to_string(expire_after.count()) + " s idle, uploads.expire_after)";
}

[[noreturn]] void too_many(const std::string& who, const std::string& what, const char* key,
                           std::chrono::seconds expire_after) {
  throw Error(ErrorCode::kTooManyRequests,
              who + " " + what + ", the most " + key +
                  " allows; finish or cancel open uploads (DELETE "
                  "/v2/NAME/blobs/uploads/ID) or wait until abandoned ones expire" +
                  for_how_long(expire_after) + ", then push again");
}

}  // namespace

std::string writer_of(const Caller& caller) {
  return caller.user ? *caller.user : "client " + caller.address;
}

void Gate::admit_write(std::string_view repository, const UploadLedger::View& view,
                       const UploadLedger::Want& want) {
  const UploadLimits& limits = options_.uploads;
  std::string ns = rules_.namespace_of(repository);
  std::string who = want.owner.rfind("client ", 0) == 0 ? want.owner : "user '" + want.owner + "'";
  bool known = !want.owner.empty();
  if (want.new_session) {
    if (known && limits.sessions_per_user &&
        view.sessions_of(want.owner) >= limits.sessions_per_user) {
      too_many(who, "has " + std::to_string(view.sessions_of(want.owner)) + " upload sessions open",
               "uploads.max_sessions_per_user", limits.expire_after);
    }
    if (limits.sessions_per_namespace && view.sessions_under(ns) >= limits.sessions_per_namespace) {
      too_many("namespace '" + ns + "'",
               "has " + std::to_string(view.sessions_under(ns)) + " upload sessions open",
               "uploads.max_sessions_per_namespace", limits.expire_after);
    }
  } else if (want.session) {
    if (known && limits.bytes_per_user &&
        view.held_by(want.owner) + want.adds > limits.bytes_per_user) {
      too_many(
          who,
          "would hold more than " + format_size(limits.bytes_per_user) + " in open upload sessions",
          "uploads.max_bytes_per_user", limits.expire_after);
    }
    if (limits.bytes_per_namespace &&
        view.held_under(ns) + want.adds > limits.bytes_per_namespace) {
      too_many("namespace '" + ns + "'",
               "would hold more than " + format_size(limits.bytes_per_namespace) +
                   " in open upload sessions",
               "uploads.max_bytes_per_namespace", limits.expire_after);
    }
  }
  // A new session adds nothing yet, but a namespace at its quota takes no more.
  uint64_t adds = want.new_session ? 1 : want.adds;
  auto d = rules_.within_quota(repository, [&](const std::string& name_space) {
    uint64_t held = view.held_under(name_space);
    return access::NamespaceUse{store_.namespace_bytes(name_space) + held, adds, held};
  });
  if (!d.allowed) throw Error(ErrorCode::kDenied, d.reason);
}

}  // namespace ferry::api

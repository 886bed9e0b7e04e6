// Every reason a bundle can be refused, as an exit code and a stable short
// name. `ferry verify` and `ferryd import` share the table, so a script (or
// the import history) tells a tampered bundle from a truncated one the same
// way whichever program refused it. docs/ferry-cli.md and docs/import.md
// list the codes.
#pragma once

#include <exception>
#include <optional>
#include <string_view>

namespace ferry {

enum RefusalExit {
  kExitBadSignature = 10,   // the signature or its trusted comment does not verify
  kExitUnknownKey = 11,     // signed by a key that is not trusted
  kExitNotABundle = 12,     // not a Ferry bundle, unsigned, or its manifest is malformed
  kExitTampered = 13,       // an entry differs from the signed manifest
  kExitDamaged = 14,        // truncated or corrupt archive
  kExitUnlisted = 15,       // unlisted, duplicate or unsafe entry
  kExitOversized = 16,      // an entry larger than declared
  kExitIncomplete = 17,     // a listed blob is missing
  kExitMissingVolume = 18,  // a volume of a split bundle is missing
  kExitBusy = 20,           // another import holds the data directory
  kExitRollback = 21,       // not newer than what was imported from that signer and channel
  kExitExpired = 22,        // past its expiry time
  kExitMissingBase = 23,    // a delta whose base is not on this box
  kExitNoSpace = 24,        // not enough free space for what it adds
  kExitQuota = 25,          // it would take a namespace over its quota
  kExitNotAllowed = 26,     // the access rules refuse imports into a namespace it names
  kExitImmutable = 27,      // it would move a tag that its namespace marks immutable
};

struct Refusal {
  int exit_code;
  std::string_view name;  // "tampered", "unknown-key", ...: stable, for scripts
};

// The class of a SigningError or BundleError (other than kSource); nullopt
// for anything else, which each program reports in its own way.
std::optional<Refusal> classify_refusal(const std::exception& e);

}  // namespace ferry

// Every reason a bundle can be refused, as an exit code and a stable short
// name, and exit_class(): how any ferry::Error ends a program. `ferry verify` and `ferryd import`
// share the table, so a script (or the import history) tells a tampered bundle from a truncated one
// the same way whichever program refused it. docs/ferry-cli.md and docs/import.md list the codes.
#pragma once

#include <optional>
#include <string_view>

#include "base/error.h"

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

// What an Error means to a program choosing its exit code. exit_class() is
// the one mapping from (domain, code); each program numbers the classes in
// its own small table, because their documented codes differ below 10 (ferry:
// 3 I/O, 4 key; ferryd: 3 listen, 4 storage) and agree on refusals.
enum class ExitClass {
  kRefused,  // a bundle refused: Refusal::exit_code, the same in every program
  kKey,      // a key file or passphrase that cannot be used
  kSource,   // an input image could not be read or is inconsistent
  kStorage,  // the disk failed: I/O error, read-only, full
  kOther,    // any other Error (a file or a request the store refused)
};

struct ExitDecision {
  ExitClass exit_class;
  std::optional<Refusal> refusal;  // set exactly for kRefused
};

// The class of `e` by its domain and code; for a bundle or signing refusal,
// also its shared number and name.
ExitDecision exit_class(const Error& e);

}  // namespace ferry

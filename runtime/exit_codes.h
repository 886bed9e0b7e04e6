// ferryd's exit codes. Stable: systemd units and scripts rely on them, and
// docs/configuration.md and docs/import.md list them.
#pragma once

#include "bundle/refusal.h"  // 10-27: a refused bundle (ferryd import)

namespace ferry {

enum DaemonExit {
  kOk = 0,
  kFailure = 1,  // anything unexpected
  kUsage = 2,    // bad command line or configuration
  kListen = 3,   // cannot listen on the address
  kStorage = 4,  // cannot open the data directory or its database; disk full or failing
  kReceipt = 5,  // imported, but the receipt could not be written
  kDamage = 6,   // ferryctl scrub: damaged content or broken references found
};

// ferryd's number for an Error's class (exit_class(), bundle/refusal.h): a
// refusal keeps its shared number, the disk's failures are kStorage (4),
// anything else kFailure.
int daemon_exit_code(const ExitDecision& decision);

}  // namespace ferry

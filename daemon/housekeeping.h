// ferryd serve's periodic jobs, each on its own thread and stopped promptly
// at shutdown: abandoned-upload expiry and audit-log pruning every few
// minutes, garbage collection on gc.interval, and the slow background scrub on
// scrub.interval (hours of paced, idle-priority reads on a big store).
#pragma once

#include <memory>

#include "access/rules.h"
#include "core/store.h"
#include "daemon/jobs.h"
#include "runtime/config.h"

namespace ferry {

class Housekeeping {
 public:
  // GC and scrub run through `jobs`, one of each kind at a time.
  Housekeeping(Store& store, const DaemonConfig& config, Jobs& jobs);
  ~Housekeeping();

 private:
  class Job;
  std::unique_ptr<Job> maintenance_;
  std::unique_ptr<Job> scrub_;
};

// GC's options from the config ([gc], retention); its retention asks
// `rules` which tags are immutable.
GcOptions gc_options(const DaemonConfig& config, access::Rules& rules);

}  // namespace ferry

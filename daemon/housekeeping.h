// ferryd serve's periodic jobs, each on its own thread and stopped promptly
// at shutdown: abandoned-upload expiry and audit-log pruning every few
// minutes, garbage collection on gc.interval, and the slow background scrub on
// scrub.interval (hours of paced, idle-priority reads on a big store).
#pragma once

#include <memory>

#include "access/rules.h"
#include "core/store.h"
#include "daemon/metrics.h"
#include "runtime/config.h"

namespace ferry {

class Housekeeping {
 public:
  // Scheduled GC's retention asks `rules` which tags are immutable.
  Housekeeping(Store& store, const DaemonConfig& config, Metrics& metrics, access::Rules& rules);
  ~Housekeeping();

 private:
  class Job;
  std::unique_ptr<Job> maintenance_;
  std::unique_ptr<Job> scrub_;
};

}  // namespace ferry

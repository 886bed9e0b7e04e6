#include "daemon/housekeeping.h"

#include <condition_variable>
#include <ctime>
#include <functional>
#include <mutex>
#include <thread>

#include "access/accounts.h"
#include "runtime/log.h"

namespace ferry {
namespace {

constexpr std::chrono::seconds kMaintenanceTick{600};

void prune_audit(Store& store, const DaemonConfig& config) {
  try {
    int64_t before = 0;
    if (config.audit_keep.count() > 0) {
      before = static_cast<int64_t>(std::time(nullptr)) - config.audit_keep.count();
    }
    int64_t n = access::Accounts(store.database()).prune_audit(before, config.audit_max_entries);
    if (n > 0) {
      log::info("audit: removed " + std::to_string(n) +
                " old entries (audit.keep, audit.max_entries)");
    }
  } catch (const std::exception& e) {
    log::warn(std::string("audit pruning failed: ") + e.what());
  }
}

}  // namespace

// A thread that calls `work` every `tick` (and at once if run_at_start)
// until stopped. `work` gets the stop token for jobs that run long.
class Housekeeping::Job {
 public:
  Job(std::chrono::seconds tick, bool run_at_start,
      std::function<void(const std::stop_token&)> work)
      : tick_(tick),
        run_at_start_(run_at_start),
        work_(std::move(work)),
        thread_([this](std::stop_token st) { run(st); }) {}

 private:
  void run(const std::stop_token& stop) {
    std::mutex mu;
    std::condition_variable_any cv;
    if (run_at_start_) work_(stop);
    while (true) {
      {
        std::unique_lock lock(mu);
        if (cv.wait_for(lock, stop, tick_, [&] { return stop.stop_requested(); })) return;
      }
      work_(stop);
    }
  }

  std::chrono::seconds tick_;
  bool run_at_start_;
  std::function<void(const std::stop_token&)> work_;
  std::jthread thread_;  // last: started once the rest is ready
};

Housekeeping::Housekeeping(Store& store, const DaemonConfig& config, Jobs& jobs) {
  // Upload expiry every tick; GC when gc.interval has passed since the last
  // run (an import in progress postpones it to the next tick).
  std::chrono::seconds tick = kMaintenanceTick;
  if (config.gc_interval.count() > 0) tick = std::min(tick, config.gc_interval);
  // An abandoned session holds quota until it expires: look at least twice
  // per uploads.expire_after, so it goes soon after.
  if (config.upload_expiry.count() > 0) {
    tick = std::min(tick, std::max(std::chrono::seconds(1), config.upload_expiry / 2));
  }
  auto next_gc = std::chrono::steady_clock::now() + config.gc_interval;
  maintenance_ = std::make_unique<Job>(
      tick, true, [&store, &jobs, config, next_gc](const std::stop_token&) mutable {
        try {
          if (size_t n = store.expire_uploads(config.upload_expiry)) {
            log::info("removed " + std::to_string(n) + " abandoned upload(s)");
          }
        } catch (const std::exception& e) {
          log::warn(std::string("upload expiry failed: ") + e.what());
        }
        prune_audit(store, config);
        if (config.gc_interval.count() == 0 || std::chrono::steady_clock::now() < next_gc) return;
        // One started through the API may be running: then this one is not needed.
        jobs.run_gc("schedule", std::chrono::seconds(1));
        next_gc = std::chrono::steady_clock::now() + config.gc_interval;
      });

  if (config.scrub_interval.count() > 0) {
    scrub_ = std::make_unique<Job>(
        config.scrub_interval, false,
        [&jobs](const std::stop_token& stop) { jobs.run_scrub("schedule", stop); });
  }
}

GcOptions gc_options(const DaemonConfig& config, access::Rules& rules) {
  return GcOptions{config.gc_grace, config.retention, false,
                   [&rules](const std::string& repository, const std::string& tag) {
                     return rules.immutable(repository, tag);
                   }};
}

Housekeeping::~Housekeeping() = default;

}  // namespace ferry

#include "daemon/housekeeping.h"

#include <sys/syscall.h>
#include <unistd.h>

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

// The scrub thread reads at idle I/O priority: the disk serves pulls first.
void lower_io_priority() {
  constexpr int kWhoProcess = 1, kClassIdle = 3, kClassShift = 13;
  ::syscall(SYS_ioprio_set, kWhoProcess, 0, kClassIdle << kClassShift);
}

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

Housekeeping::Housekeeping(Store& store, const DaemonConfig& config, Metrics& metrics,
                           access::Rules& rules) {
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
  GcOptions gc{config.gc_grace, config.retention, false,
               [&rules](const std::string& repository, const std::string& tag) {
                 return rules.immutable(repository, tag);
               }};
  maintenance_ = std::make_unique<Job>(
      tick, true, [&store, &metrics, config, gc, next_gc](const std::stop_token&) mutable {
        try {
          if (size_t n = store.expire_uploads(config.upload_expiry)) {
            log::info("removed " + std::to_string(n) + " abandoned upload(s)");
          }
        } catch (const std::exception& e) {
          log::warn(std::string("upload expiry failed: ") + e.what());
        }
        prune_audit(store, config);
        if (config.gc_interval.count() == 0 || std::chrono::steady_clock::now() < next_gc) return;
        try {
          auto report = store.collect_garbage(gc, std::chrono::seconds(1));
          if (!report) {
            metrics.gc_skipped(false);
            log::info("gc postponed: an import is running");
            return;
          }
          metrics.gc_run(*report);
          for (const auto& t : report->tags) {
            log::info("gc: retention removed tag " + t.repository + ":" + t.name);
          }
          log::info("gc: " + summarize(*report));
        } catch (const std::exception& e) {
          metrics.gc_skipped(true);
          log::warn(std::string("gc failed; it changed nothing past the failure: ") + e.what());
        }
        next_gc = std::chrono::steady_clock::now() + config.gc_interval;
      });

  if (config.scrub_interval.count() > 0) {
    ScrubOptions options{config.scrub_rate};
    scrub_ = std::make_unique<Job>(
        config.scrub_interval, false, [&store, &metrics, options](const std::stop_token& stop) {
          lower_io_priority();
          try {
            ScrubReport r = store.scrub(options, stop);
            if (!r.stopped) metrics.scrub_run(r);
            for (const auto& d : r.damaged) {
              log::error("scrub: " + d.digest + " is damaged (" + d.reason +
                         "); quarantined, no longer served; push or import it again to repair it");
            }
            for (const auto& b : r.broken_references) log::error("scrub: " + b);
            (r.clean() ? log::info : log::warn)("scrub: " + summarize(r));
          } catch (const std::exception& e) {
            log::warn(std::string("scrub failed: ") + e.what());
          }
        });
  }
}

Housekeeping::~Housekeeping() = default;

}  // namespace ferry

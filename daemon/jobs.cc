#include "daemon/jobs.h"

#include <sys/syscall.h>
#include <unistd.h>

#include "core/job_runs.h"
#include "runtime/log.h"

namespace ferry {
namespace {

// An API-started GC waits this long for a running import before giving up.
constexpr std::chrono::minutes kStartedGcWait{10};

// A scrub reads at idle I/O priority: the disk serves pulls first.
void lower_io_priority() {
  constexpr int kWhoProcess = 1, kClassIdle = 3, kClassShift = 13;
  ::syscall(SYS_ioprio_set, kWhoProcess, 0, kClassIdle << kClassShift);
}

// Clears a running flag when the run ends, however it ends.
struct Running {
  std::atomic<bool>& flag;
  ~Running() { flag = false; }
};

}  // namespace

Jobs::Jobs(Store& store, Metrics* metrics, GcOptions gc, ScrubOptions scrub)
    : store_(store), metrics_(metrics), gc_(std::move(gc)), scrub_(scrub) {}

Jobs::~Jobs() {
  std::lock_guard lock(threads_mu_);
  scrub_thread_.request_stop();
}

bool Jobs::run_gc(const std::string& trigger, std::chrono::milliseconds lock_wait) {
  if (gc_running_.exchange(true)) return false;
  Running running{gc_running_};
  gc_work(trigger, lock_wait);
  return true;
}

bool Jobs::run_scrub(const std::string& trigger, const std::stop_token& stop) {
  if (scrub_running_.exchange(true)) return false;
  Running running{scrub_running_};
  scrub_work(trigger, stop);
  return true;
}

bool Jobs::start_gc(const std::string& trigger) {
  if (gc_running_.exchange(true)) return false;
  std::lock_guard lock(threads_mu_);
  gc_thread_ = std::jthread([this, trigger](std::stop_token) {
    Running running{gc_running_};
    gc_work(trigger, kStartedGcWait);
  });
  return true;
}

bool Jobs::start_scrub(const std::string& trigger) {
  if (scrub_running_.exchange(true)) return false;
  std::lock_guard lock(threads_mu_);
  scrub_thread_ = std::jthread([this, trigger](std::stop_token stop) {
    Running running{scrub_running_};
    scrub_work(trigger, stop);
  });
  return true;
}

void Jobs::gc_work(const std::string& trigger, std::chrono::milliseconds lock_wait) {
  try {
    auto report = ferry::run_gc(store_, gc_, lock_wait, trigger);
    if (!report) {
      if (metrics_) metrics_->gc_skipped(false);
      log::info("gc postponed: an import is running");
      return;
    }
    if (metrics_) metrics_->gc_run(*report);
    for (const auto& t : report->tags) {
      log::info("gc: retention removed tag " + t.repository + ":" + t.name);
    }
    log::info("gc: " + summarize(*report) + " (" + trigger + ")");
  } catch (const std::exception& e) {
    if (metrics_) metrics_->gc_skipped(true);
    log::warn(std::string("gc failed; it changed nothing past the failure: ") + e.what());
  }
}

void Jobs::scrub_work(const std::string& trigger, const std::stop_token& stop) {
  lower_io_priority();
  try {
    ScrubReport r = ferry::run_scrub(store_, scrub_, stop, trigger);
    if (!r.stopped && metrics_) metrics_->scrub_run(r);
    for (const auto& d : r.damaged) {
      log::error("scrub: " + d.digest + " is damaged (" + d.reason +
                 "); quarantined, no longer served; push or import it again to repair it");
    }
    for (const auto& b : r.broken_references) log::error("scrub: " + b);
    (r.clean() ? log::info : log::warn)("scrub: " + summarize(r) + " (" + trigger + ")");
  } catch (const std::exception& e) {
    log::warn(std::string("scrub failed: ") + e.what());
  }
}

}  // namespace ferry

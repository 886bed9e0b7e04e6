// Garbage collection and scrub as ferryd runs them, scheduled
// (housekeeping.cc) or asked for (POST /ferry/v1/gc and /ferry/v1/scrub):
// one of each kind at a time, with the configured options, logged, counted
// in /metrics and recorded as the last run (core/job_runs.h).
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>

#include "core/gc.h"
#include "core/scrub.h"
#include "core/store.h"
#include "daemon/metrics.h"

namespace ferry {

class Jobs {
 public:
  // `metrics` may be null (tests).
  Jobs(Store& store, Metrics* metrics, GcOptions gc, ScrubOptions scrub);
  // Stops a scrub started here and waits for what runs.
  ~Jobs();
  Jobs(const Jobs&) = delete;
  Jobs& operator=(const Jobs&) = delete;

  // Runs on this thread; false (nothing done) when one of the kind runs.
  // A GC waits up to `lock_wait` for an import, then is postponed. Failures
  // are logged, not thrown.
  bool run_gc(const std::string& trigger, std::chrono::milliseconds lock_wait);
  bool run_scrub(const std::string& trigger, const std::stop_token& stop);
  // The same on a thread of their own; false when one of the kind runs.
  bool start_gc(const std::string& trigger);
  bool start_scrub(const std::string& trigger);
  bool gc_running() const { return gc_running_; }
  bool scrub_running() const { return scrub_running_; }

 private:
  void gc_work(const std::string& trigger, std::chrono::milliseconds lock_wait);
  void scrub_work(const std::string& trigger, const std::stop_token& stop);

  Store& store_;
  Metrics* metrics_;
  GcOptions gc_;
  ScrubOptions scrub_;
  std::atomic<bool> gc_running_{false}, scrub_running_{false};
  std::mutex threads_mu_;
  std::jthread gc_thread_, scrub_thread_;  // last: joined first
};

}  // namespace ferry

// The last garbage collection and the last scrub, whoever ran them
// (scheduled in ferryd, started from the console or the API, ferryctl gc or
// scrub): the module that owns the table job_runs ("jobs" in
// schema_versions), so what they did outlives a restart (docs/console.md,
// "Storage and jobs"). run_gc and run_scrub are the one way GC and scrub are
// run for real: the work, then its record.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>

#include "core/gc.h"
#include "core/scrub.h"
#include "core/sql_pool.h"

namespace ferry {

class Store;

struct JobRun {
  std::string kind;                         // "gc" or "scrub"
  int64_t started_at = 0, finished_at = 0;  // Unix seconds
  std::string trigger;                      // "schedule", "api:USER", "ferryctl:USER"
  // gc: what it removed; scrub: files re-hashed and damaged found (this run).
  uint64_t removed_blobs = 0, removed_manifests = 0, freed_bytes = 0;
  uint64_t checked = 0, damaged = 0;
  std::optional<std::string> error;  // why it failed
};

class JobRuns {
 public:
  // Creates or upgrades the table (once per pool). Throws sql::migrate's errors.
  explicit JobRuns(sql::Pool& pool);
  // Replaces the kind's last run. Throws on storage errors.
  void record(const JobRun& run);
  std::optional<JobRun> last(std::string_view kind);

 private:
  sql::Pool& pool_;
};

// Store::collect_garbage, recorded (a dry run is not): its report, nullopt
// when an import held on past `lock_wait` (nothing recorded then). Records
// a failure and throws it on.
std::optional<GcReport> run_gc(Store& store, const GcOptions& options,
                               std::chrono::milliseconds lock_wait, const std::string& trigger);
// Store::scrub, recorded unless stopped before its end. Records a failure
// and throws it on.
ScrubReport run_scrub(Store& store, const ScrubOptions& options, std::stop_token stop,
                      const std::string& trigger);

}  // namespace ferry

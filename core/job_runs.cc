#include "core/job_runs.h"

#include <ctime>

#include "core/schema.h"
#include "core/store.h"

namespace ferry {
namespace {

// Version 1: one row per kind, its last run.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE job_runs (
  kind              TEXT PRIMARY KEY CHECK (kind IN ('gc', 'scrub')),
  started_at        INTEGER NOT NULL,
  finished_at       INTEGER NOT NULL,
  trigger           TEXT NOT NULL,
  removed_blobs     INTEGER NOT NULL DEFAULT 0,
  removed_manifests INTEGER NOT NULL DEFAULT 0,
  freed_bytes       INTEGER NOT NULL DEFAULT 0,
  checked           INTEGER NOT NULL DEFAULT 0,
  damaged           INTEGER NOT NULL DEFAULT 0,
  error             TEXT
) WITHOUT ROWID;
)sql";

const sql::Schema& schema() {
  static const sql::Schema s{"jobs", {kSchemaV1}, {}};
  return s;
}

int64_t now() {
  return static_cast<int64_t>(std::time(nullptr));
}

// Records without letting a failure to record hide the job's own outcome.
void record_quietly(Store& store, const JobRun& run) noexcept {
  try {
    JobRuns(store.database()).record(run);
  } catch (...) {
  }
}

}  // namespace

JobRuns::JobRuns(sql::Pool& pool) : pool_(pool) {
  pool_.migrate(schema());
}

void JobRuns::record(const JobRun& r) {
  auto lease = pool_.acquire();
  sql::Database& db = *lease;
  db.prepare(
        "INSERT OR REPLACE INTO job_runs(kind, started_at, finished_at, trigger, removed_blobs, "
        "removed_manifests, freed_bytes, checked, damaged, error) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(r.kind, r.started_at, r.finished_at, r.trigger, int64_t(r.removed_blobs),
            int64_t(r.removed_manifests), int64_t(r.freed_bytes), int64_t(r.checked),
            int64_t(r.damaged), r.error)
      .run();
}

std::optional<JobRun> JobRuns::last(std::string_view kind) {
  auto lease = pool_.acquire();
  sql::Database& db = *lease;
  auto s = db.prepare(
      "SELECT kind, started_at, finished_at, trigger, removed_blobs, removed_manifests, "
      "freed_bytes, checked, damaged, error FROM job_runs WHERE kind = ?");
  s.bind(std::string(kind));
  if (!s.step()) return std::nullopt;
  auto n = [&](int i) { return static_cast<uint64_t>(s.column_int(i)); };
  return JobRun{s.column_text(0),
                s.column_int(1),
                s.column_int(2),
                s.column_text(3),
                n(4),
                n(5),
                n(6),
                n(7),
                n(8),
                s.column_optional_text(9)};
}

std::optional<GcReport> run_gc(Store& store, const GcOptions& options,
                               std::chrono::milliseconds lock_wait, const std::string& trigger) {
  JobRun run{"gc", now(), 0, trigger, 0, 0, 0, 0, 0, std::nullopt};
  try {
    auto report = store.collect_garbage(options, lock_wait);
    if (report && !options.dry_run) {
      run.finished_at = now();
      run.removed_blobs = report->blobs.size();
      run.removed_manifests = report->manifests.size();
      run.freed_bytes = report->bytes_freed;
      record_quietly(store, run);
    }
    return report;
  } catch (const std::exception& e) {
    run.finished_at = now();
    run.error = e.what();
    if (!options.dry_run) record_quietly(store, run);
    throw;
  }
}

ScrubReport run_scrub(Store& store, const ScrubOptions& options, std::stop_token stop,
                      const std::string& trigger) {
  JobRun run{"scrub", now(), 0, trigger, 0, 0, 0, 0, 0, std::nullopt};
  try {
    ScrubReport report = store.scrub(options, stop);
    if (!report.stopped) {
      run.finished_at = now();
      run.checked = report.checked;
      run.damaged = report.damaged.size();
      record_quietly(store, run);
    }
    return report;
  } catch (const std::exception& e) {
    run.finished_at = now();
    run.error = e.what();
    record_quietly(store, run);
    throw;
  }
}

}  // namespace ferry

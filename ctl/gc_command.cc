// ferryctl gc: garbage collection on demand, beside a running server or not.
#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "access/accounts.h"
#include "access/rules.h"
#include "core/job_runs.h"
#include "core/json_strict.h"
#include "core/printable.h"
#include "core/store.h"
#include "core/units.h"
#include "ctl/commands.h"
#include "runtime/data_dir.h"
#include "runtime/exit_codes.h"
#include "runtime/fail.h"

namespace ferry::ctl {
namespace {

struct GcCommand {
  bool dry_run = false;
  bool json = false;
  std::string grace;  // else the config's gc.grace
};

// Long enough to ride out an import's start; an import itself takes minutes.
constexpr std::chrono::seconds kImportWait{5};

nlohmann::json report_json(const GcReport& r, size_t uploads) {
  auto items = [](const std::vector<GcReport::Item>& list, const char* name_key) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& i : list) {
      nlohmann::json item{{name_key, i.name}};
      if (!i.repository.empty()) item["repository"] = i.repository;
      if (i.size) item["size"] = i.size;
      out.push_back(std::move(item));
    }
    return out;
  };
  return {{"dryRun", r.dry_run},
          {"tags", items(r.tags, "tag")},
          {"manifests", items(r.manifests, "digest")},
          {"blobs", items(r.blobs, "digest")},
          {"links", r.links},
          {"orphanFiles", r.orphan_files},
          {"uploads", uploads},
          {"bytesFreed", r.bytes_freed},
          {"durationMs", r.duration.count()}};
}

void print_report(const GcReport& r, size_t uploads) {
  for (const auto& t : r.tags)
    std::printf("tag       %s:%s\n", printable(t.repository).c_str(), printable(t.name).c_str());
  for (const auto& m : r.manifests) {
    std::printf("manifest  %s@%s  %s\n", printable(m.repository).c_str(), printable(m.name).c_str(),
                format_size(m.size).c_str());
  }
  for (const auto& b : r.blobs) {
    std::printf("blob      %s  %s\n", printable(b.name).c_str(), format_size(b.size).c_str());
  }
  std::printf("%s", summarize(r).c_str());
  if (uploads) std::printf("; %zu abandoned upload(s) removed", uploads);
  std::printf("\n");
}

int run_gc(const DaemonConfig& config, const GcCommand& command) {
  std::optional<std::chrono::seconds> grace;
  if (!command.grace.empty()) {
    grace = parse_duration(command.grace);
    if (!grace) {
      return fail(kUsage, "--grace '" + command.grace + "' is not a duration such as 30m, 1h or 0");
    }
  }
  if (!act_as_data_dir_owner(config.data_dir)) return kStorage;
  std::string error;
  auto store = open_store_beside_server(config, &error);
  if (!store) return fail(kStorage, error);
  std::optional<GcReport> report;
  size_t uploads = 0;
  try {
    // Retention never drops a tag its namespace marks immutable.
    access::Rules rules(store->database(), {});
    GcOptions options{grace.value_or(config.gc_grace), config.retention, command.dry_run,
                      [&rules](const std::string& repository, const std::string& tag) {
                        return rules.immutable(repository, tag);
                      }};
    // Recorded as the last GC (GET /ferry/v1/storage) unless a dry run.
    report = run_gc(*store, options, kImportWait, access::local_actor("ferryctl"));
    if (report && !command.dry_run) uploads = store->expire_uploads(config.upload_expiry);
  } catch (const std::exception& e) {
    return fail(kStorage, std::string("gc failed: ") + e.what());
  }
  if (!report) {
    return fail(kExitBusy, "an import is running on " + config.data_dir +
                               "; nothing was collected: run gc again when it has finished");
  }
  if (command.json) {
    std::printf("%s\n", json_text(report_json(*report, uploads), 2).c_str());
  } else {
    print_report(*report, uploads);
  }
  return kOk;
}

}  // namespace

void add_gc_command(CLI::App& app, Commands& commands) {
  auto o = std::make_shared<GcCommand>();
  auto* gc = app.add_subcommand(
      "gc", "Remove what no tag reaches, after the retention rules; --dry-run lists it first");
  gc->add_flag("-n,--dry-run", o->dry_run, "List what would go and the space; change nothing");
  gc->add_option("--grace", o->grace,
                 "Spare content younger than this (default: the config's gc.grace, 1h)");
  gc->add_flag("--json", o->json, "Machine-readable report");
  commands.on(
      gc, [o](const Where& where) { return run_gc(where.config, *o); }, true);
}

}  // namespace ferry::ctl

// ferryctl scrub: re-hash everything stored and check every reference now.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "access/accounts.h"
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

struct ScrubCommand {
  std::string rate;  // per second, e.g. 50MiB; empty: as fast as the disk reads
  bool json = false;
};

void print_report(const ScrubReport& r, bool json) {
  if (json) {
    nlohmann::json damaged = nlohmann::json::array();
    for (const auto& d : r.damaged) damaged.push_back({{"digest", d.digest}, {"reason", d.reason}});
    nlohmann::json out{{"checked", r.checked},
                       {"bytes", r.bytes},
                       {"damaged", damaged},
                       {"knownDamaged", r.known_damaged},
                       {"brokenReferences", r.broken_references},
                       {"durationMs", r.duration.count()}};
    std::printf("%s\n", json_text(out, 2).c_str());
    return;
  }
  for (const auto& d : r.damaged) {
    std::printf("damaged   %s  %s; quarantined, push or import it again\n",
                printable(d.digest).c_str(), printable(d.reason).c_str());
  }
  for (const auto& b : r.broken_references) std::printf("broken    %s\n", printable(b).c_str());
  std::printf("%s\n", summarize(r).c_str());
}

int run_scrub(const DaemonConfig& config, const ScrubCommand& command) {
  uint64_t rate = 0;
  if (!command.rate.empty()) {
    auto bytes = parse_size(command.rate);
    if (!bytes) {
      return fail(kUsage, "--rate '" + command.rate + "' is not a size such as 50MiB");
    }
    rate = *bytes;
  }
  if (!act_as_data_dir_owner(config.data_dir)) return kStorage;
  std::string error;
  auto store = open_store_beside_server(config, &error);
  if (!store) return fail(kStorage, error);
  ScrubReport r;
  try {
    // Recorded as the last scrub (GET /ferry/v1/storage).
    r = run_scrub(*store, ScrubOptions{rate}, {}, access::local_actor("ferryctl"));
  } catch (const std::exception& e) {
    return fail(kStorage, std::string("scrub failed: ") + e.what());
  }
  print_report(r, command.json);
  return r.clean() ? kOk : kDamage;
}

}  // namespace

void add_scrub_command(CLI::App& app, Commands& commands) {
  auto o = std::make_shared<ScrubCommand>();
  auto* scrub = app.add_subcommand(
      "scrub", "Re-hash every blob and manifest and check every reference; quarantine damage");
  scrub->add_option("--rate", o->rate,
                    "Read at most this much per second, e.g. 50MiB (default: no limit)");
  scrub->add_flag("--json", o->json, "Machine-readable report");
  commands.on(
      scrub, [o](const Where& where) { return run_scrub(where.config, *o); }, true);
}

}  // namespace ferry::ctl

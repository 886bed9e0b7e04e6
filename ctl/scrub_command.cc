#include "ctl/scrub_command.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/store.h"
#include "runtime/data_dir.h"
#include "runtime/exit_codes.h"
#include "runtime/fail.h"

namespace ferry::ctl {

int run_scrub(const DaemonConfig& config, const ScrubCommand& command) {
  if (!act_as_data_dir_owner(config.data_dir)) return kStorage;
  std::string error;
  auto store = open_store_beside_server(config, &error);
  if (!store) return fail(kStorage, error);
  ScrubReport r;
  try {
    r = store->scrub(ScrubOptions{command.rate});
  } catch (const std::exception& e) {
    return fail(kStorage, std::string("scrub failed: ") + e.what());
  }
  if (command.json) {
    nlohmann::json damaged = nlohmann::json::array();
    for (const auto& d : r.damaged) damaged.push_back({{"digest", d.digest}, {"reason", d.reason}});
    nlohmann::json out{{"checked", r.checked},
                       {"bytes", r.bytes},
                       {"damaged", damaged},
                       {"knownDamaged", r.known_damaged},
                       {"brokenReferences", r.broken_references},
                       {"durationMs", r.duration.count()}};
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    for (const auto& d : r.damaged) {
      std::printf("damaged   %s  %s; quarantined, push or import it again\n", d.digest.c_str(),
                  d.reason.c_str());
    }
    for (const auto& b : r.broken_references) std::printf("broken    %s\n", b.c_str());
    std::printf("%s\n", summarize(r).c_str());
  }
  return r.clean() ? kOk : kDamage;
}

}  // namespace ferry::ctl

#include "daemon/inventory_command.h"

#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "core/file_util.h"
#include "core/inventory.h"
#include "core/json_strict.h"
#include "core/store.h"
#include "core/units.h"
#include "daemon/import/receipt.h"
#include "runtime/data_dir.h"
#include "runtime/exit_codes.h"
#include "runtime/fail.h"

namespace ferry {

int run_inventory_command(const DaemonConfig& config, const std::string& output) {
  std::string error;
  auto store = open_store_beside_server(config, &error);
  if (!store) return fail(kStorage, error);
  nlohmann::json blobs = nlohmann::json::array();
  store->for_each_held_digest([&](const std::string& d) { blobs.push_back(d); });
  nlohmann::json doc = {{"mediaType", kInventoryMediaType},
                        {"host", import::host_name()},
                        {"created", format_utc(static_cast<int64_t>(std::time(nullptr)))},
                        {"blobs", blobs}};
  std::string text = json_text(doc, 2) + "\n";
  if (output.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return kOk;
  }
  try {
    write_file_atomic(output, text);
  } catch (const std::exception& e) {
    return fail(kStorage, std::string("cannot write the inventory: ") + e.what());
  }
  std::fprintf(stderr, "inventory of %zu digest(s) written to %s\n", blobs.size(), output.c_str());
  return kOk;
}

}  // namespace ferry

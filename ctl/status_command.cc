#include "ctl/status_command.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/store.h"
#include "core/units.h"
#include "ctl/remote_admin.h"
#include "runtime/data_dir.h"
#include "runtime/exit_codes.h"
#include "runtime/fail.h"
#include "runtime/status_json.h"

namespace ferry::ctl {

int run_status(const DaemonConfig& config, const RemoteOptions* remote, bool json) {
  nlohmann::json status;
  if (remote) {
    try {
      status = RemoteAdmin(*remote).status();
    } catch (const RemoteError& e) {
      return fail(e.exit_code(), e.what());
    } catch (const std::exception& e) {
      return fail(kUnreachable, e.what());
    }
  } else {
    if (!act_as_data_dir_owner(config.data_dir)) return kStorage;
    std::string error;
    auto store = open_store_beside_server(config, &error);
    if (!store) return fail(kStorage, error);
    status = status_json(*store);
  }
  if (json) {
    std::printf("%s\n", status.dump(2).c_str());
    return kOk;
  }
  auto n = [&](const char* key) { return status.at(key).get<unsigned long long>(); };
  uint64_t free = n("freeBytes"), floor = n("minFreeBytes");
  std::printf("%s: %llu repositories, %llu tags, %llu manifests, %llu blobs (%s)\n",
              status.at("dataDir").get<std::string>().c_str(), n("repositories"), n("tags"),
              n("manifests"), n("blobs"), format_size(n("blobBytes")).c_str());
  std::printf("free %s (floor %s)%s; %llu upload(s) open; %llu damaged\n",
              format_size(free).c_str(), format_size(floor).c_str(),
              free < floor ? ": UNDER THE FLOOR, pushes refused" : "", n("uploadsInProgress"),
              n("damaged"));
  std::printf("\n%-24s %12s %8s %12s\n", "namespace", "repositories", "tags", "space");
  for (const auto& u : status.at("namespaces")) {
    std::printf("%-24s %12llu %8llu %12s\n", u.at("namespace").get<std::string>().c_str(),
                u.at("repositories").get<unsigned long long>(),
                u.at("tags").get<unsigned long long>(),
                format_size(u.at("bytes").get<uint64_t>()).c_str());
  }
  return kOk;
}

}  // namespace ferry::ctl

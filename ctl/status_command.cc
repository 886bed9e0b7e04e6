#include "ctl/status_command.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/store.h"
#include "core/units.h"
#include "daemon/data_dir.h"
#include "daemon/exit_codes.h"
#include "daemon/serve.h"

namespace ferry::ctl {

int run_status(const DaemonConfig& config, bool json) {
  if (!act_as_data_dir_owner(config.data_dir)) return kStorage;
  std::string error;
  auto store = open_store_beside_server(config, &error);
  if (!store) return fail(kStorage, error);
  StoreStats s = store->stats();
  auto usage = store->namespace_usage();
  uint64_t free = store->free_bytes();
  if (json) {
    nlohmann::json namespaces = nlohmann::json::array();
    for (const auto& u : usage) {
      namespaces.push_back({{"namespace", u.name},
                            {"repositories", u.repositories},
                            {"tags", u.tags},
                            {"bytes", u.bytes}});
    }
    nlohmann::json out{{"repositories", s.repositories},
                       {"tags", s.tags},
                       {"manifests", s.manifests},
                       {"blobs", s.blobs},
                       {"blobBytes", s.blob_bytes},
                       {"uploadsInProgress", s.uploads},
                       {"damaged", s.damaged},
                       {"freeBytes", free},
                       {"minFreeBytes", config.min_free},
                       {"namespaces", namespaces}};
    std::printf("%s\n", out.dump(2).c_str());
    return kOk;
  }
  std::printf("%s: %llu repositories, %llu tags, %llu manifests, %llu blobs (%s)\n",
              config.data_dir.c_str(), static_cast<unsigned long long>(s.repositories),
              static_cast<unsigned long long>(s.tags), static_cast<unsigned long long>(s.manifests),
              static_cast<unsigned long long>(s.blobs), format_size(s.blob_bytes).c_str());
  std::printf("free %s (floor %s)%s; %llu upload(s) open; %llu damaged\n",
              format_size(free).c_str(), format_size(config.min_free).c_str(),
              free < config.min_free ? ": UNDER THE FLOOR, pushes refused" : "",
              static_cast<unsigned long long>(s.uploads),
              static_cast<unsigned long long>(s.damaged));
  std::printf("\n%-24s %12s %8s %12s\n", "namespace", "repositories", "tags", "space");
  for (const auto& u : usage) {
    std::printf("%-24s %12llu %8llu %12s\n", u.name.c_str(),
                static_cast<unsigned long long>(u.repositories),
                static_cast<unsigned long long>(u.tags), format_size(u.bytes).c_str());
  }
  return kOk;
}

}  // namespace ferry::ctl

#include "daemon/status_json.h"

namespace ferry {

nlohmann::json status_json(Store& store) {
  StoreStats s = store.stats();
  nlohmann::json namespaces = nlohmann::json::array();
  for (const auto& u : store.namespace_usage()) {
    namespaces.push_back({{"namespace", u.name},
                          {"repositories", u.repositories},
                          {"tags", u.tags},
                          {"bytes", u.bytes}});
  }
  return {{"dataDir", store.options().data_dir},
          {"repositories", s.repositories},
          {"tags", s.tags},
          {"manifests", s.manifests},
          {"blobs", s.blobs},
          {"blobBytes", s.blob_bytes},
          {"uploadsInProgress", s.uploads},
          {"damaged", s.damaged},
          {"freeBytes", store.free_bytes()},
          {"minFreeBytes", store.options().min_free},
          {"namespaces", namespaces}};
}

}  // namespace ferry

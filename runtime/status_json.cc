#include "runtime/status_json.h"

#include <algorithm>

#include "access/accounts.h"
#include "access/policy.h"

namespace ferry {

nlohmann::json status_json(Store& store) {
  StoreStats s = store.stats();
  // First path components, and the configured prefixes ("site/line1"),
  // whose figures count every repository under them.
  auto usage = store.namespace_usage();
  access::Accounts accounts(store.database());
  auto policy = access::Policy::load(accounts, false);
  for (const auto& prefix : policy.prefixes()) usage.push_back(store.prefix_usage(prefix));
  std::sort(usage.begin(), usage.end(),
            [](const NamespaceUsage& a, const NamespaceUsage& b) { return a.name < b.name; });
  nlohmann::json namespaces = nlohmann::json::array();
  for (const auto& u : usage) {
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

// What the store holds, summarised for people: namespaces, repositories and
// tags with their sizes, kinds and platforms, and one manifest in detail
// (GET /ferry/v1/catalog, /repositories..., `ferryctl ls`; docs/console.md,
// "Browsing API"). Read-only; the SQL is the registry module's own (it runs
// on the store's tables through Store::database()). Sizes are bytes, times
// Unix seconds. Content that cannot be read (damaged, missing) is left out
// of a summary rather than failing it.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/browse_cache.h"
#include "core/store.h"

namespace ferry {

// Whether the caller may see (pull) a repository; empty: everything.
using MayPull = std::function<bool(std::string_view repository)>;

// A config blob larger than this is summarised as absent, never read.
inline constexpr uint64_t kMaxConfigRead = 1 << 20;

struct NamespaceSummary {
  std::string name;
  uint64_t repositories = 0, tags = 0;
  uint64_t bytes = 0;  // distinct content of the visible repositories: a shared blob once
  int64_t updated_at = 0;
};

struct RepositorySummary {
  std::string name;
  uint64_t tags = 0, bytes = 0;  // bytes: distinct content the repository holds
  int64_t updated_at = 0;        // last tag move or manifest stored
};

struct RepositoryQuery {
  std::string name_space;  // "": all; else the repositories at or under it
  std::string contains;    // "": all; else a case-insensitive substring of the name
  std::string after;       // keyset: names after this one
  int64_t limit = 100;     // >= 1
};

struct TagSummary {
  std::string name, digest, media_type;
  std::optional<std::string> artifact_type;
  std::string kind;  // image, index, chart, files, signature, sbom, attestation, artifact
  std::vector<std::string> platforms;  // "linux/amd64", "linux/arm/v7"
  uint64_t bytes = 0;                  // the manifest and all it needs, each blob once
  std::optional<std::string> created;  // the image config's "created" (RFC 3339)
  int64_t updated_at = 0;
  std::optional<std::string> updated_by;  // user, "anonymous", "import <bundle id>"
};

template <typename T>
struct BrowsePage {
  std::vector<T> items;
  bool more = false;  // another page follows the last item
};

class Browse {
 public:
  // cache: where tag summaries are kept between calls (daemon), or none.
  explicit Browse(Store& store, TagSummaryCache* cache = nullptr) : store_(store), cache_(cache) {}

  // Every namespace with a repository the caller may pull, counting only those.
  std::vector<NamespaceSummary> catalog(const MayPull& may_pull);
  // Repositories holding a manifest, by name, that match and the caller may pull.
  BrowsePage<RepositorySummary> repositories(const RepositoryQuery& query, const MayPull& may_pull);
  // Tags after `after`, by name, at most limit (>= 1). Throws NAME_UNKNOWN
  // for a repository that does not exist.
  BrowsePage<TagSummary> tags(const std::string& repository, const std::string& after,
                              int64_t limit);
  // One manifest by tag or digest, as docs/console.md describes it. Throws
  // NAME_UNKNOWN / MANIFEST_UNKNOWN when absent, NAME_INVALID for a bad name.
  nlohmann::json manifest(const std::string& repository, const std::string& reference);

 private:
  Store& store_;
  TagSummaryCache* cache_;
};

// The same, as the JSON the endpoints answer (and `ferryctl ls --json` prints).
nlohmann::json to_json(const NamespaceSummary& n);
nlohmann::json to_json(const RepositorySummary& r);
nlohmann::json to_json(const TagSummary& t);

}  // namespace ferry

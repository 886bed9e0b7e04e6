// What garbage collection is asked to do and what it did. The work itself is
// Store::collect_garbage (core/store_gc.cc); docs/storage.md explains the rules.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ferry {

// Which tags of a namespace to keep; every other tag of it goes. A tag is
// kept when any rule given says so.
struct RetentionRule {
  std::string name_space;             // first path component ("ci" matches ci/app), or "*"
  std::optional<uint64_t> keep_last;  // the N most recently pushed tags
  std::optional<std::chrono::seconds> keep_newer_than;  // tags moved within this age
  std::vector<std::string> keep_matching;               // glob patterns: "v*", "latest"

  bool covers(const std::string& repository) const;
};

struct GcOptions {
  // Content younger than this is never collected: a push in progress has
  // uploaded blobs (or child manifests) that no tag reaches yet.
  std::chrono::seconds grace{3600};
  std::vector<RetentionRule> retention;
  bool dry_run = false;
  // Tags retention keeps whatever its rules say: those an immutable pattern
  // of their namespace protects (access::Rules::immutable). Empty: none.
  std::function<bool(const std::string& repository, const std::string& tag)> protected_tag = {};
};

struct GcReport {
  struct Item {
    std::string repository;  // empty for store-wide content
    std::string name;        // tag, or digest
    uint64_t size = 0;
  };
  std::vector<Item> tags;       // removed by retention
  std::vector<Item> manifests;  // no tag reaches them
  uint64_t links = 0;           // blobs unlinked from a repository
  std::vector<Item> blobs;      // content files removed
  uint64_t orphan_files = 0;    // files with no row (a crash between file and row)
  uint64_t bytes_freed = 0;
  std::chrono::milliseconds duration{0};
  bool dry_run = false;
};

}  // namespace ferry

namespace ferry {

// One line for logs and the CLI: "removed 3 manifest(s), 7 blob(s) ... in 12 ms".
std::string summarize(const GcReport& report);

}  // namespace ferry

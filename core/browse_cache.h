// What a tags page shows of a manifest that only its content and the tag's
// name decide: kind, artifactType, platforms, created and bytes. Content
// never changes under its digest, so these are kept between requests (the
// tags page reads every manifest and config it lists otherwise: ~80 us a
// tag). Bounded, least recently used first out; safe across threads.
#pragma once

#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace ferry {

struct TagContentSummary {
  std::string kind;
  std::optional<std::string> artifact_type;
  std::vector<std::string> platforms;
  std::optional<std::string> created;
  uint64_t bytes = 0;
};

class TagSummaryCache {
 public:
  // capacity: entries kept (a few hundred bytes each).
  explicit TagSummaryCache(size_t capacity = 1024) : capacity_(capacity) {}

  std::optional<TagContentSummary> find(const std::string& digest, const std::string& tag);
  void keep(const std::string& digest, const std::string& tag, TagContentSummary summary);
  size_t size();

 private:
  using Entry = std::pair<std::string, TagContentSummary>;  // key, summary
  size_t capacity_;
  std::mutex mu_;
  std::list<Entry> order_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

}  // namespace ferry

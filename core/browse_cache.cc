#include "core/browse_cache.h"

namespace ferry {
namespace {

std::string key_of(const std::string& digest, const std::string& tag) {
  return digest + '\n' + tag;  // neither may hold a newline
}

}  // namespace

std::optional<TagContentSummary> TagSummaryCache::find(const std::string& digest,
                                                       const std::string& tag) {
  std::lock_guard lock(mu_);
  auto it = index_.find(key_of(digest, tag));
  if (it == index_.end()) return std::nullopt;
  order_.splice(order_.begin(), order_, it->second);
  return it->second->second;
}

void TagSummaryCache::keep(const std::string& digest, const std::string& tag,
                           TagContentSummary summary) {
  if (capacity_ == 0) return;
  std::string key = key_of(digest, tag);
  std::lock_guard lock(mu_);
  if (auto it = index_.find(key); it != index_.end()) {
    it->second->second = std::move(summary);
    order_.splice(order_.begin(), order_, it->second);
    return;
  }
  order_.emplace_front(key, std::move(summary));
  index_.emplace(std::move(key), order_.begin());
  if (order_.size() > capacity_) {
    index_.erase(order_.back().first);
    order_.pop_back();
  }
}

size_t TagSummaryCache::size() {
  std::lock_guard lock(mu_);
  return order_.size();
}

}  // namespace ferry

#include "core/sql_pool.h"

namespace ferry::sql {

Pool::Lease Pool::acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      auto db = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(db));
    }
  }
  return Lease(*this, std::make_unique<Database>(path_));
}

void Pool::give_back(std::unique_ptr<Database> db) {
  std::lock_guard lock(mu_);
  idle_.push_back(std::move(db));
}

void Pool::migrate(const Schema& schema) {
  {
    std::lock_guard lock(mu_);
    if (migrated_.count(schema.module)) return;
  }
  // Two threads may both get here; the second finds nothing left to do.
  sql::migrate(*acquire(), schema);
  std::lock_guard lock(mu_);
  migrated_.insert(schema.module);
}

int64_t Pool::data_version() {
  std::lock_guard lock(watch_mu_);
  if (!watcher_) watcher_ = std::make_unique<Database>(path_);
  return watcher_->cached("PRAGMA data_version").one_int().value_or(0);
}

}  // namespace ferry::sql

// The data dir's database as the modules that own tables in it see it: a
// pool of connections, one per concurrent user, made on demand. Each module
// (the store, access, import records) is given the pool at construction,
// migrates its own tables through it once, and runs its queries on leased
// connections. SQLite connections are not shared across threads at once; a
// lease keeps that rule without tying connections to threads.
#pragma once

#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/schema.h"
#include "core/sqlite.h"

namespace ferry::sql {

class Pool {
 public:
  // Opens nothing yet; the first lease opens (creating) the file at path.
  explicit Pool(std::string path) : path_(std::move(path)) {}
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  class Lease {
   public:
    Lease(Pool& pool, std::unique_ptr<Database> db) : pool_(&pool), db_(std::move(db)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (db_) pool_->give_back(std::move(db_));
    }
    Database* operator->() { return db_.get(); }
    Database& operator*() { return *db_; }

   private:
    Pool* pool_;
    std::unique_ptr<Database> db_;
  };

  // Throws ferry::Error (kStorage) when the database cannot be opened.
  Lease acquire();
  // Brings the module's tables up to date (schema.h), once per pool: later
  // calls for the same module return at once. Throws what migrate() throws.
  void migrate(const Schema& schema);
  // A number that changes whenever a transaction is committed to the
  // database by any connection, of this process or another (SQLite's
  // PRAGMA data_version, asked on a connection of its own that never
  // writes). For caches of figures derived from the tables. Throws
  // ferry::Error (kStorage) when the database cannot be opened.
  int64_t data_version();

 private:
  void give_back(std::unique_ptr<Database> db);

  std::string path_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Database>> idle_;
  std::set<std::string> migrated_;  // modules, under mu_
  std::mutex watch_mu_;
  std::unique_ptr<Database> watcher_;  // only ever reads data_version, under watch_mu_
};

}  // namespace ferry::sql

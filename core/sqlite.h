// Thin RAII layer over SQLite: a connection, prepared statements that reset
// themselves, and a transaction that rolls back unless committed.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace ferry::sql {

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}

  // Binds parameters 1..N in order; resets any previous run first.
  template <typename... Args>
  Statement& bind(const Args&... args) {
    reset();
    int i = 1;
    (bind_one(i++, args), ...);
    return *this;
  }
  // Advances; true while a row is available.
  bool step();
  // Runs a statement that returns no rows.
  void run() {
    step();
    reset();
  }

  // For queries of one value: the first column of the first row, if any.
  std::optional<int64_t> one_int();
  std::optional<std::string> one_text();

  int64_t column_int(int col) const;
  std::string column_text(int col) const;
  std::optional<std::string> column_optional_text(int col) const;
  std::optional<int64_t> column_optional_int(int col) const;
  void reset();

 private:
  void bind_one(int i, int64_t v);
  void bind_one(int i, int v) { bind_one(i, static_cast<int64_t>(v)); }
  void bind_one(int i, uint64_t v) { bind_one(i, static_cast<int64_t>(v)); }
  void bind_one(int i, std::string_view v);
  void bind_one(int i, const std::string& v) { bind_one(i, std::string_view(v)); }
  void bind_one(int i, const char* v) { bind_one(i, std::string_view(v)); }
  void bind_one(int i, const std::optional<std::string>& v);
  void bind_one(int i, const std::optional<int64_t>& v);
  void bind_one(int i, std::nullptr_t);

  struct Finalize {
    void operator()(sqlite3_stmt* s) const;
  };
  sqlite3* db_;
  std::unique_ptr<sqlite3_stmt, Finalize> stmt_;
};

class Database {
 public:
  // Opens (creating if needed) in WAL mode with a busy timeout, so readers
  // never block writers and concurrent writers wait instead of failing.
  explicit Database(const std::string& path);
  Database(Database&&) noexcept = default;
  Database& operator=(Database&&) noexcept = default;

  void exec(const char* sql);
  // Prepared once per connection; callers keep the Statement and reuse it.
  Statement prepare(std::string_view sql);
  // Prepared on first use and kept with the connection; the key is the
  // address of the SQL literal, stable for the program's life.
  Statement& cached(const char* sql);
  int64_t changes() const;
  int64_t last_insert_rowid() const;
  sqlite3* handle() const { return db_.get(); }

 private:
  struct Close {
    void operator()(sqlite3* db) const;
  };
  std::unique_ptr<sqlite3, Close> db_;
  std::unordered_map<const char*, Statement> cached_;  // destroyed before db_
};

// BEGIN IMMEDIATE on construction, so the write lock is taken up front and a
// transaction never fails half way with SQLITE_BUSY; ROLLBACK unless commit().
// Also the handle one module passes another so both write in one
// transaction (Store::publish_images and the import history): a module
// taking a Transaction& runs its own statements on db().
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();
  Database& db() { return db_; }

 private:
  Database& db_;
  bool done_ = false;
};

}  // namespace ferry::sql

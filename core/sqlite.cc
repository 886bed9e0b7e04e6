#include "core/sqlite.h"

#include <sqlite3.h>

#include "base/error.h"

namespace ferry::sql {
namespace {

[[noreturn]] void fail(sqlite3* db, const std::string& what) {
  int code = sqlite3_extended_errcode(db);
  std::string message = what + ": " + sqlite3_errmsg(db);
  if ((code & 0xff) == SQLITE_FULL) {
    throw Error(ErrorCode::kInsufficientStorage,
                "metadata database: " + message + " (free space on the data disk and retry)");
  }
  throw Error(ErrorCode::kStorage, "metadata database: " + message);
}

}  // namespace

void Database::Close::operator()(sqlite3* db) const {
  sqlite3_close_v2(db);
}
void Statement::Finalize::operator()(sqlite3_stmt* s) const {
  sqlite3_finalize(s);
}

Database::Database(const std::string& path) {
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  db_.reset(raw);
  if (rc != SQLITE_OK) fail(raw, "cannot open " + path);
  sqlite3_busy_timeout(raw, 10000);
  sqlite3_extended_result_codes(raw, 1);
  // Keep the -wal file when the last connection closes: re-creating it (and
  // the -shm) needs free blocks, and ferryd must start on a full disk.
  int persist = 1;
  sqlite3_file_control(raw, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
  // WAL: readers see a consistent snapshot while a writer commits.
  // synchronous=FULL: a commit we acknowledged survives power loss.
  // cache_size: 1 MiB per connection (default 2 MiB); lookups are by key, and
  // the pool holds one connection per worker thread on a small-RAM host.
  exec(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
      "PRAGMA cache_size=-1024;");
}

void Database::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string message = err ? err : "unknown error";
    sqlite3_free(err);
    throw Error(ErrorCode::kStorage, "metadata database: " + message);
  }
}

Statement Database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                         SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
    fail(db_.get(), "cannot prepare statement");
  }
  return Statement(db_.get(), stmt);
}

Statement& Database::cached(const char* sql) {
  auto it = cached_.find(sql);
  if (it == cached_.end()) it = cached_.emplace(sql, prepare(sql)).first;
  return it->second;
}

int64_t Database::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(db_.get());
}

int64_t Database::changes() const {
  return sqlite3_changes64(db_.get());
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string what = std::string("statement failed: ") + sqlite3_sql(stmt_.get());
  sqlite3_reset(stmt_.get());
  fail(db_, what);
}

std::optional<int64_t> Statement::one_int() {
  std::optional<int64_t> v;
  if (step()) v = column_int(0);
  reset();
  return v;
}

std::optional<std::string> Statement::one_text() {
  std::optional<std::string> v;
  if (step()) v = column_text(0);
  reset();
  return v;
}

int64_t Statement::column_int(int col) const {
  return sqlite3_column_int64(stmt_.get(), col);
}

std::string Statement::column_text(int col) const {
  auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_.get(), col));
  return text ? std::string(text, sqlite3_column_bytes(stmt_.get(), col)) : std::string();
}

std::optional<std::string> Statement::column_optional_text(int col) const {
  if (sqlite3_column_type(stmt_.get(), col) == SQLITE_NULL) return std::nullopt;
  return column_text(col);
}

std::optional<int64_t> Statement::column_optional_int(int col) const {
  if (sqlite3_column_type(stmt_.get(), col) == SQLITE_NULL) return std::nullopt;
  return column_int(col);
}

void Statement::reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

void Statement::bind_one(int i, int64_t v) {
  sqlite3_bind_int64(stmt_.get(), i, v);
}

void Statement::bind_one(int i, std::string_view v) {
  sqlite3_bind_text(stmt_.get(), i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

void Statement::bind_one(int i, const std::optional<int64_t>& v) {
  if (v) {
    bind_one(i, *v);
  } else {
    sqlite3_bind_null(stmt_.get(), i);
  }
}

void Statement::bind_one(int i, const std::optional<std::string>& v) {
  if (v) {
    bind_one(i, std::string_view(*v));
  } else {
    sqlite3_bind_null(stmt_.get(), i);
  }
}

void Statement::bind_one(int i, std::nullptr_t) {
  sqlite3_bind_null(stmt_.get(), i);
}

Transaction::Transaction(Database& db) : db_(db) {
  db_.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
  if (!done_) {
    try {
      db_.exec("ROLLBACK");
    } catch (...) {
      // Nothing more to do: SQLite rolls back on close anyway.
    }
  }
}

void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

}  // namespace ferry::sql

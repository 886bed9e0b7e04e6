#include "core/schema.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "base/error.h"

namespace ferry::sql {
namespace {

int64_t user_version(Database& db) {
  auto s = db.prepare("PRAGMA user_version");
  s.step();
  return s.column_int(0);
}

// kStorage, so every program reports it as a data dir it cannot open (ferryd
// and ferryctl exit 4), changing nothing.
[[noreturn]] void too_new(const std::string& what, int64_t version, size_t known) {
  throw Error(ErrorCode::kStorage, what + " at schema version " + std::to_string(version) +
                                       ", newer than this build understands (" +
                                       std::to_string(known) +
                                       "); use the ferryd that upgraded it, or a newer one");
}

// A database from before per-module versions: remember its one version.
void adopt_legacy(Database& db) {
  int64_t version = user_version(db);
  if (version > kPerModuleSchema) too_new("the database file is", version, kPerModuleSchema);
  if (version == kPerModuleSchema) return;
  if (version > 0) {
    // Said once, on stderr (the journal, for ferryd): from here on the
    // builds from before per-module versions refuse the file.
    std::fprintf(stderr,
                 "ferry: upgrading the database from schema version %lld to per-module "
                 "versions (%d); ferryd and ferryctl before 0.2.0 will no longer open it\n",
                 static_cast<long long>(version), kPerModuleSchema);
  }
  db.exec(
      "CREATE TABLE schema_versions (module TEXT PRIMARY KEY, version INTEGER NOT NULL) "
      "WITHOUT ROWID");
  db.prepare("INSERT INTO schema_versions(module, version) VALUES ('legacy', ?)")
      .bind(version)
      .run();
  db.exec(("PRAGMA user_version=" + std::to_string(kPerModuleSchema)).c_str());
}

int current_version(Database& db, const Schema& schema) {
  auto row = db.prepare("SELECT version FROM schema_versions WHERE module = ?");
  if (auto v = row.bind(schema.module).one_int()) return static_cast<int>(*v);
  int64_t legacy = row.bind(std::string("legacy")).one_int().value_or(0);
  if (schema.legacy.empty() || legacy <= 0) return 0;
  size_t i = std::min(static_cast<size_t>(legacy), schema.legacy.size() - 1);
  return schema.legacy[i];
}

// True when the module is at its newest version already: read without the
// write lock, so opening an up-to-date database never waits for a writer.
bool up_to_date(Database& db, const Schema& schema) {
  if (user_version(db) != kPerModuleSchema) return false;
  auto v = db.prepare("SELECT version FROM schema_versions WHERE module = ?")
               .bind(schema.module)
               .one_int();
  return v && *v == static_cast<int64_t>(schema.steps.size());
}

}  // namespace

void migrate(Database& db, const Schema& schema) {
  if (up_to_date(db, schema)) return;
  Transaction tx(db);
  adopt_legacy(db);
  int version = current_version(db, schema);
  if (version > static_cast<int>(schema.steps.size())) {
    too_new("the database's " + schema.module + " tables are", version, schema.steps.size());
  }
  for (size_t i = static_cast<size_t>(version); i < schema.steps.size(); ++i) {
    db.exec(schema.steps[i]);
  }
  db.prepare(
        "INSERT INTO schema_versions(module, version) VALUES (?, ?) "
        "ON CONFLICT(module) DO UPDATE SET version = excluded.version")
      .bind(schema.module, static_cast<int64_t>(schema.steps.size()))
      .run();
  tx.commit();
}

}  // namespace ferry::sql

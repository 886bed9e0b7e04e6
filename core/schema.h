// Per-module schema versions in one SQLite file. Each module that owns
// tables (the store's registry tables, access, import records) declares its
// own steps; the table schema_versions(module, version) says how far each
// has gone.
//
// Databases made before this (PRAGMA user_version 1..6, one version for
// every table) are read as follows on their first open: schema_versions is
// created with a row ('legacy', user_version), each module maps that legacy
// number to its own version (Schema::legacy) the first time it migrates, and
// user_version becomes kPerModuleSchema, so an older ferryd refuses the file
// instead of misreading it.
#pragma once

#include <string>
#include <vector>

#include "core/sqlite.h"

namespace ferry::sql {

// The user_version of a database whose versions are per module.
constexpr int kPerModuleSchema = 7;

struct Schema {
  std::string module;              // its row in schema_versions
  std::vector<const char*> steps;  // steps[i] takes the module from version i to i + 1
  // The module's version in a database made with user_version i (i = 0..6);
  // shorter: the last entry holds for higher ones. Empty: 0 (a new module).
  std::vector<int> legacy;
};

// Applies the steps the module has not had yet, all in one BEGIN IMMEDIATE
// transaction, and records its version. Throws ferry::Error (kStorage) when
// the file is newer than this build understands (a user_version above
// kPerModuleSchema, or the module at a version beyond its steps), and
// ferry::Error (kStorage) when SQLite fails; nothing is changed then.
void migrate(Database& db, const Schema& schema);

}  // namespace ferry::sql

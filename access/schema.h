// The access module's tables (users, tokens, namespaces, grants,
// access_state, audit) and their steps, "access" in schema_versions.
// access::Accounts migrates them when it is made.
#pragma once

#include "core/schema.h"

namespace ferry::access {

const sql::Schema& access_schema();

}  // namespace ferry::access

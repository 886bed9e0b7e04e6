// The import history as JSON, for `ferryd imports --json` and the
// read-only endpoint GET /ferry/v1/imports (docs/import.md).
#pragma once

#include <nlohmann/json.hpp>

#include "core/import_records.h"

namespace ferry::import {

nlohmann::json import_record_json(const ImportRecord& record);

}  // namespace ferry::import

// What `ferryctl status` shows, as JSON: totals, free space, and space used
// per namespace. One function for both ferryctl on the data dir and
// GET /ferry/v1/status, so the two always agree.
#pragma once

#include <nlohmann/json.hpp>

#include "core/store.h"

namespace ferry {

nlohmann::json status_json(Store& store);

}  // namespace ferry

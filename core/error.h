// ferry::Error now lives in base/error.h, below both ferrycore and ferrysign.
// Kept so the store's files, rewritten on another branch, need not change
// their includes in the same round; new code includes base/error.h.
#pragma once

#include "base/error.h"  // IWYU pragma: export

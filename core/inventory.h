// What a site holds, as the connected side reads it to make the next delta
// bundle (docs/import.md, "Inventory"): `ferryd inventory` writes
//
//   {"mediaType": kInventoryMediaType, "host": "...", "created": "RFC 3339",
//    "blobs": ["sha256:...", ...]}
//
// and every import receipt (kReceiptMediaType, signed by the box's key)
// carries the same list as "inventory". `ferry pack --base-inventory` reads
// either, or a bare JSON list of digests.
#pragma once

#include <string_view>

namespace ferry {

inline constexpr std::string_view kInventoryMediaType = "application/vnd.ferry.inventory.v1+json";
inline constexpr std::string_view kReceiptMediaType =
    "application/vnd.ferry.import-receipt.v1+json";

}  // namespace ferry

// Import receipts: proof, signed by the box's own key, of what a bundle
// installed. A technician carries RECEIPT and RECEIPT.minisig back; anyone
// with the box's public key checks them with `minisign -V` (or ferry).
#pragma once

#include <string>

#include "bundle/format.h"
#include "core/import_records.h"
#include "core/inventory.h"

namespace ferry::import {

// This machine's name, as receipts and inventories record it.
std::string host_name();

// Loads the box's secret key, or creates it (unencrypted, mode 0600: the box
// signs unattended) with its public half beside it as <name>.pub.
// Returns the key's id in minisign's hex form.
std::string ensure_box_key(const std::string& key_path);

// Writes `path` (JSON) and `path`.minisig, each atomically. `inventory` is
// every digest the box holds after the import (core/inventory.h), so the
// receipt tells the connected side what the next delta may leave out.
void write_receipt(const std::string& path, const std::string& box_key_path,
                   const bundle::Manifest& manifest, const ImportRecord& record,
                   const std::vector<std::string>& inventory);

}  // namespace ferry::import

// Delta bundles: what the site already has, so pack can leave it out.
#pragma once

#include <set>
#include <string>

#include "core/digest.h"

namespace ferry::cli {

// Everything a site that imported `base_bundle` has: the blobs that bundle
// carries and those it required. Reads only its manifest (first entry).
std::set<Digest> blobs_of_base_bundle(const std::string& base_bundle);

// What a site reported it holds (core/inventory.h): `ferryd inventory`'s
// document, an import receipt, or a bare JSON list of digests. A receipt is
// trusted only once INVENTORY.minisig verifies against `receipt_key` (a
// box.pub or a folder of them): throws Error(KeyFileErrorKind) when no key is given,
// Error(SigningErrorKind) when the signature does not verify, std::invalid_argument
// for anything that is not one of the three.
std::set<Digest> blobs_of_inventory(const std::string& inventory_file,
                                    const std::string& receipt_key);

}  // namespace ferry::cli

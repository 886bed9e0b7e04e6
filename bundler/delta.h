// Delta bundles: what the site already has, so pack can leave it out.
#pragma once

#include <set>
#include <string>

#include "core/digest.h"

namespace ferry::cli {

// Everything a site that imported `base_bundle` has: the blobs that bundle
// carries and those it required. Reads only its manifest (first entry).
std::set<Digest> blobs_of_base_bundle(const std::string& base_bundle);

// A JSON list of digests ("sha256:..."), e.g. exported from the site.
std::set<Digest> blobs_of_inventory(const std::string& inventory_file);

}  // namespace ferry::cli

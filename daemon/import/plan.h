// What an import publishes, read from the content store once the bundle's
// blobs are in, and checked as a push of the same manifests would be
// (docs/import.md): every manifest parsed strictly; every blob it names is
// carried by the bundle or, for a delta, required of the box, with the size
// its descriptor declares; an index's entries are its child manifests or
// blobs; and the other way round, every blob the signed manifest carries or
// requires is used by one of its images. Each refusal is
// Error(bundle::BundleErrorKind), one line naming the image and the digest.
#pragma once

#include <vector>

#include "bundle/format.h"
#include "core/store.h"

namespace ferry::import {

// The images (children before their index, the top manifest last), then
// their referrers, each after its subject.
std::vector<ImageToPublish> plan_images(Store& store, const bundle::Manifest& m);

}  // namespace ferry::import

// Why a bundle was refused: the bundle domain of ferry::Error. Each kind has
// its own CLI exit code (bundle/refusal.h), so scripts (and the import history)
// can tell a tampered bundle from a truncated one.
#pragma once

#include "base/error.h"

namespace ferry::bundle {

enum class BundleErrorKind {
  kMalformed,      // not a Ferry bundle, or its manifest is not well formed
  kDamaged,        // the archive is truncated or its compression is corrupt
  kTampered,       // an entry's digest or size differs from the signed manifest
  kUnlisted,       // an entry the manifest does not list, a duplicate, or an unsafe name/type
  kOversized,      // an entry larger than declared (reading stopped there)
  kIncomplete,     // a listed blob or the index never came
  kMissingVolume,  // a volume of a split bundle is not beside the first
  kSource,         // the input images could not be read or are inconsistent
  // Import's own refusals: the bundle is sound but this box will not take it.
  kBusy,         // another import is running on the same data directory
  kRollback,     // not newer than the last bundle of its signer and channel
  kExpired,      // past the expiry time its manifest carries
  kMissingBase,  // a delta whose required blobs are not in the store
  kNoSpace,      // the store's disk cannot hold what the bundle adds
  kQuota,        // it would take a namespace over its quota
  kNotAllowed,   // the access rules refuse imports there (locked box, namespace without import)
  kImmutable,    // it would move a tag its namespace marks immutable
};

}  // namespace ferry::bundle

template <>
struct ferry::ErrorDomainOf<ferry::bundle::BundleErrorKind> {
  static constexpr ErrorDomain value = ErrorDomain::kBundle;
};

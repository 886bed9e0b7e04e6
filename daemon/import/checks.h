// The checks an import makes before it writes any content (docs/import.md):
// expiry, rollback, a delta's base, free space, and the access rules
// (access::Rules: where imports may land, quotas, immutable tags). Each
// throws Error(bundle::BundleErrorKind), of the kind whose exit code the refusal
// gets (bundle/refusal.h), saying what to do.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "access/rules.h"
#include "bundle/format.h"
#include "core/import_records.h"
#include "core/store.h"

namespace ferry::import {

// Refuses (kExpired) a bundle past its expiry time.
void check_expiry(const bundle::Manifest& m);
// When this very bundle is the last one of its signer and channel, it was
// imported already: the time it was, so the import can end with nothing to do.
std::optional<int64_t> imported_before(ImportRecords& records, const std::string& signer,
                                       const bundle::Manifest& m);
// Refuses (kRollback) a bundle not newer than the last one of its signer
// and channel, unless allow_downgrade.
void check_sequence(ImportRecords& records, const std::string& signer, const bundle::Manifest& m,
                    bool allow_downgrade);
// Refuses (kMissingBase) a delta whose base content is not on the box.
void check_base(Store& store, const bundle::Manifest& m);
// Refuses (kNoSpace) a bundle the free space cannot take; returns the bytes it adds.
uint64_t check_space(Store& store, const bundle::Manifest& m);
// Refuses (kNotAllowed) a bundle publishing where imports are not allowed,
// and (kQuota) one that would take a namespace over its quota.
void check_access(Store& store, const bundle::Manifest& m, access::Rules& rules);
// Refuses (kImmutable) moving an immutable tag from `from` to `to`.
void check_tag_move(access::Rules& rules, const std::string& repository, const std::string& tag,
                    const std::string& from, const std::string& to);
// check_tag_move for every tag of the bundle that exists here and would move.
void check_immutable_tags(Store& store, const bundle::Manifest& m, access::Rules& rules);

}  // namespace ferry::import

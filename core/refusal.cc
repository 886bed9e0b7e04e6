#include "core/refusal.h"

#include "core/bundle_error.h"
#include "signing/error.h"

namespace ferry {

std::optional<Refusal> classify_refusal(const std::exception& e) {
  using bundle::BundleErrorKind;
  using signing::SigningErrorKind;
  if (const auto* s = dynamic_cast<const signing::SigningError*>(&e)) {
    switch (s->kind()) {
      case SigningErrorKind::kBadSignature:
      case SigningErrorKind::kBadTrustedComment: return Refusal{kExitBadSignature, "bad-signature"};
      case SigningErrorKind::kUnknownKey: return Refusal{kExitUnknownKey, "unknown-key"};
      case SigningErrorKind::kMalformed:
      case SigningErrorKind::kUnsupported: return Refusal{kExitNotABundle, "not-a-bundle"};
      case SigningErrorKind::kWrongPassphrase:
        return std::nullopt;  // a key problem, not a bundle's
    }
  }
  if (const auto* b = dynamic_cast<const bundle::BundleError*>(&e)) {
    switch (b->kind()) {
      case BundleErrorKind::kMalformed: return Refusal{kExitNotABundle, "not-a-bundle"};
      case BundleErrorKind::kDamaged: return Refusal{kExitDamaged, "damaged"};
      case BundleErrorKind::kTampered: return Refusal{kExitTampered, "tampered"};
      case BundleErrorKind::kUnlisted: return Refusal{kExitUnlisted, "unlisted-entry"};
      case BundleErrorKind::kOversized: return Refusal{kExitOversized, "oversized-entry"};
      case BundleErrorKind::kIncomplete: return Refusal{kExitIncomplete, "incomplete"};
      case BundleErrorKind::kMissingVolume: return Refusal{kExitMissingVolume, "missing-volume"};
      case BundleErrorKind::kBusy: return Refusal{kExitBusy, "busy"};
      case BundleErrorKind::kRollback: return Refusal{kExitRollback, "rollback"};
      case BundleErrorKind::kExpired: return Refusal{kExitExpired, "expired"};
      case BundleErrorKind::kMissingBase: return Refusal{kExitMissingBase, "missing-base"};
      case BundleErrorKind::kNoSpace: return Refusal{kExitNoSpace, "no-space"};
      case BundleErrorKind::kQuota: return Refusal{kExitQuota, "quota"};
      case BundleErrorKind::kNotAllowed: return Refusal{kExitNotAllowed, "not-allowed"};
      case BundleErrorKind::kImmutable: return Refusal{kExitImmutable, "immutable"};
      case BundleErrorKind::kSource: return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace ferry

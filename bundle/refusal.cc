#include "bundle/refusal.h"

#include "bundle/error.h"
#include "signing/error.h"

namespace ferry {
namespace {

using bundle::BundleErrorKind;
using signing::SigningErrorKind;

ExitDecision refused(int exit_code, std::string_view name) {
  return {ExitClass::kRefused, Refusal{exit_code, name}};
}

ExitDecision signing_exit(SigningErrorKind kind) {
  switch (kind) {
    case SigningErrorKind::kBadSignature:
    case SigningErrorKind::kBadTrustedComment: return refused(kExitBadSignature, "bad-signature");
    case SigningErrorKind::kUnknownKey: return refused(kExitUnknownKey, "unknown-key");
    case SigningErrorKind::kMalformed:
    case SigningErrorKind::kUnsupported: return refused(kExitNotABundle, "not-a-bundle");
    case SigningErrorKind::kWrongPassphrase: break;  // a key problem, not a bundle's
  }
  return {ExitClass::kKey, std::nullopt};
}

ExitDecision bundle_exit(BundleErrorKind kind) {
  switch (kind) {
    case BundleErrorKind::kMalformed: return refused(kExitNotABundle, "not-a-bundle");
    case BundleErrorKind::kDamaged: return refused(kExitDamaged, "damaged");
    case BundleErrorKind::kTampered: return refused(kExitTampered, "tampered");
    case BundleErrorKind::kUnlisted: return refused(kExitUnlisted, "unlisted-entry");
    case BundleErrorKind::kOversized: return refused(kExitOversized, "oversized-entry");
    case BundleErrorKind::kIncomplete: return refused(kExitIncomplete, "incomplete");
    case BundleErrorKind::kMissingVolume: return refused(kExitMissingVolume, "missing-volume");
    case BundleErrorKind::kBusy: return refused(kExitBusy, "busy");
    case BundleErrorKind::kRollback: return refused(kExitRollback, "rollback");
    case BundleErrorKind::kExpired: return refused(kExitExpired, "expired");
    case BundleErrorKind::kMissingBase: return refused(kExitMissingBase, "missing-base");
    case BundleErrorKind::kNoSpace: return refused(kExitNoSpace, "no-space");
    case BundleErrorKind::kQuota: return refused(kExitQuota, "quota");
    case BundleErrorKind::kNotAllowed: return refused(kExitNotAllowed, "not-allowed");
    case BundleErrorKind::kImmutable: return refused(kExitImmutable, "immutable");
    case BundleErrorKind::kSource: break;
  }
  return {ExitClass::kSource, std::nullopt};
}

}  // namespace

ExitDecision exit_class(const Error& e) {
  switch (e.domain()) {
    case ErrorDomain::kSigning: return signing_exit(*e.code_in<SigningErrorKind>());
    case ErrorDomain::kBundle: return bundle_exit(*e.code_in<BundleErrorKind>());
    case ErrorDomain::kKeyFile: return {ExitClass::kKey, std::nullopt};
    case ErrorDomain::kRegistry: break;
    // Only ferryctl meets these, and numbers their codes itself
    // (ctl::exit_code_of); to ferry and ferryd they are any other failure.
    case ErrorDomain::kAccess:
    case ErrorDomain::kRemote: return {ExitClass::kOther, std::nullopt};
  }
  return {e.is_storage() ? ExitClass::kStorage : ExitClass::kOther, std::nullopt};
}

}  // namespace ferry

#include "bundler/exit_codes.h"

#include <cstdio>
#include <stdexcept>

#include "core/bundle_error.h"
#include "core/error.h"
#include "signing/error.h"

namespace ferry::cli {
namespace {

int code_for(const std::exception& e) {
  using bundle::BundleErrorKind;
  using signing::SigningErrorKind;
  if (const auto* s = dynamic_cast<const signing::SigningError*>(&e)) {
    switch (s->kind()) {
      case SigningErrorKind::kBadSignature:
      case SigningErrorKind::kBadTrustedComment: return kBadSignature;
      case SigningErrorKind::kUnknownKey: return kUnknownKey;
      case SigningErrorKind::kWrongPassphrase: return kKeyError;
      case SigningErrorKind::kMalformed:
      case SigningErrorKind::kUnsupported: return kNotABundle;
    }
  }
  if (const auto* b = dynamic_cast<const bundle::BundleError*>(&e)) {
    switch (b->kind()) {
      case BundleErrorKind::kMalformed: return kNotABundle;
      case BundleErrorKind::kDamaged: return kDamaged;
      case BundleErrorKind::kTampered: return kTampered;
      case BundleErrorKind::kUnlisted: return kUnlisted;
      case BundleErrorKind::kOversized: return kOversized;
      case BundleErrorKind::kIncomplete: return kIncomplete;
      case BundleErrorKind::kMissingVolume: return kMissingVolume;
      case BundleErrorKind::kSource: return kSourceError;
    }
  }
  if (dynamic_cast<const std::invalid_argument*>(&e)) return kUsage;
  if (dynamic_cast<const Error*>(&e)) return kIo;
  return kFailure;
}

}  // namespace

int report_failure(const std::exception& e) {
  std::fprintf(stderr, "ferry: %s\n", e.what());
  return code_for(e);
}

}  // namespace ferry::cli

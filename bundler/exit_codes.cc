#include "bundler/exit_codes.h"

#include <cstdio>
#include <stdexcept>

#include "bundler/key_files.h"
#include "core/bundle_error.h"
#include "core/error.h"
#include "core/printable.h"
#include "signing/error.h"

namespace ferry::cli {
namespace {

int code_for(const std::exception& e) {
  if (dynamic_cast<const KeyFileError*>(&e)) return kKeyError;
  if (auto refusal = classify_refusal(e)) return refusal->exit_code;
  if (const auto* s = dynamic_cast<const signing::SigningError*>(&e)) {
    if (s->kind() == signing::SigningErrorKind::kWrongPassphrase) return kKeyError;
  }
  if (const auto* b = dynamic_cast<const bundle::BundleError*>(&e)) {
    if (b->kind() == bundle::BundleErrorKind::kSource) return kSourceError;
  }
  if (dynamic_cast<const std::invalid_argument*>(&e)) return kUsage;
  if (dynamic_cast<const Error*>(&e)) return kIo;
  return kFailure;
}

}  // namespace

int report_failure(const std::exception& e) {
  // Messages quote what users and registries gave (list lines, names): their
  // control characters are shown escaped, never sent to the terminal.
  std::fprintf(stderr, "ferry: %s\n", printable(e.what()).c_str());
  return code_for(e);
}

}  // namespace ferry::cli

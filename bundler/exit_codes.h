// ferry's exit codes. Stable: scripts branch on them. docs/ferry-cli.md lists them.
#pragma once

#include <exception>

namespace ferry::cli {

enum ExitCode {
  kOk = 0,
  kFailure = 1,         // unexpected
  kUsage = 2,           // bad command line
  kIo = 3,              // a file could not be read or written, or exists already
  kKeyError = 4,        // malformed or unsupported key, or wrong passphrase
  kSourceError = 5,     // an input image could not be read or is inconsistent
  kBadSignature = 10,   // the signature or its trusted comment does not verify
  kUnknownKey = 11,     // signed by a key that is not trusted
  kNotABundle = 12,     // not a Ferry bundle, unsigned, or its manifest is malformed
  kTampered = 13,       // an entry differs from the signed manifest
  kDamaged = 14,        // truncated or corrupt archive
  kUnlisted = 15,       // unlisted, duplicate or unsafe entry
  kOversized = 16,      // an entry larger than declared
  kIncomplete = 17,     // a listed blob is missing
  kMissingVolume = 18,  // a volume of a split bundle is missing
};

// Prints "ferry: <what>" and returns the exit code for any exception the
// signing and bundle code throws.
int report_failure(const std::exception& e);

}  // namespace ferry::cli

// ferry's exit codes. Stable: scripts branch on them. docs/ferry-cli.md lists them.
#pragma once

#include <exception>

#include "core/refusal.h"

namespace ferry::cli {

enum ExitCode {
  kOk = 0,
  kFailure = 1,      // unexpected
  kUsage = 2,        // bad command line
  kIo = 3,           // a file could not be read or written, or exists already
  kKeyError = 4,     // malformed or unsupported key, or wrong passphrase
  kSourceError = 5,  // an input image could not be read or is inconsistent
  // 10-24: a refused bundle, shared with ferryd import (core/refusal.h)
};

// Prints "ferry: <what>" and returns the exit code for any exception the
// signing and bundle code throws.
int report_failure(const std::exception& e);

}  // namespace ferry::cli

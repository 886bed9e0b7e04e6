// ferry's exit codes. Stable: scripts branch on them. docs/ferry-cli.md lists them.
#pragma once

#include <exception>

#include "base/error.h"
#include "bundle/refusal.h"

namespace ferry::cli {

enum ExitCode {
  kOk = 0,
  kFailure = 1,      // unexpected
  kUsage = 2,        // bad command line
  kIo = 3,           // a file could not be read or written, or exists already
  kKeyError = 4,     // malformed or unsupported key, or wrong passphrase
  kSourceError = 5,  // an input image could not be read or is inconsistent
  // 10-27: a refused bundle, shared with ferryd import (bundle/refusal.h)
};

// ferry's numbers for an Error's class (bundle/refusal.h): a refusal keeps its
// shared number, a storage or other Error is an I/O failure (3).
int exit_code(const Error& e);

// Prints "ferry: <what>" and returns the exit code for `failure`, the
// exception being handled: an Error by exit_code(), std::invalid_argument as
// a usage error (2), anything else 1.
int report_failure(std::exception_ptr failure);

}  // namespace ferry::cli

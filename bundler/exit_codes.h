// ferry's exit codes. Stable: scripts branch on them. docs/ferry-cli.md lists them.
#pragma once

namespace ferry::cli {

enum ExitCode {
  kOk = 0,
  kFailure = 1,   // unexpected
  kUsage = 2,     // bad command line
  kIo = 3,        // a file could not be read or written, or exists already
  kKeyError = 4,  // malformed or unsupported key, or wrong passphrase
};

}  // namespace ferry::cli

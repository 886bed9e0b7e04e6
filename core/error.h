// Errors the store and the OCI code raise. The codes are the OCI Distribution
// error codes because they are the vocabulary every client already speaks; the
// HTTP layer maps them to statuses, the CLI to exit codes.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace ferry {

enum class ErrorCode {
  kBlobUnknown,
  kBlobUploadInvalid,
  kBlobUploadUnknown,
  kDigestInvalid,
  kManifestBlobUnknown,
  kManifestInvalid,
  kManifestUnknown,
  kNameInvalid,
  kNameUnknown,
  kSizeInvalid,
  kUnauthorized,
  kDenied,
  kUnsupported,
  kTooManyRequests,
  kRangeInvalid,  // not in the spec's table; answered as 416
  // A delete that would leave a manifest or index pointing at nothing.
  // Answered 405 UNSUPPORTED: the status the conformance suite accepts for
  // a delete the registry will not do.
  kStillReferenced,
  kTooLarge,  // body over a configured limit (answered as 413 SIZE_INVALID)
  kStorage,   // the disk failed us: read-only, I/O error
  // Free space is under the configured floor, or a write met a full disk:
  // answered 507 DENIED, and pushes work again once space is freed.
  kInsufficientStorage,
  // Ferry's own admin API (/ferry/v1/): a bad value, an existing user or
  // token, no such user, token or grant. Not OCI codes: no OCI client sees them.
  kInvalid,
  kExists,
  kNotFound,
  kInternal,
};

// The spec's code string for the wire, e.g. "BLOB_UNKNOWN".
std::string_view error_code_name(ErrorCode code);

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }
  // The disk, not the request, is at fault (storage or space).
  bool is_storage() const {
    return code_ == ErrorCode::kStorage || code_ == ErrorCode::kInsufficientStorage;
  }

 private:
  ErrorCode code_;
};

// Throws kStorage with "<what>: <strerror(errno)>"; ENOSPC gets advice.
[[noreturn]] void throw_errno(const std::string& what, int err);

}  // namespace ferry

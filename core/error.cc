#include "core/error.h"

#include <cerrno>
#include <cstring>

namespace ferry {

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBlobUnknown: return "BLOB_UNKNOWN";
    case ErrorCode::kBlobUploadInvalid: return "BLOB_UPLOAD_INVALID";
    case ErrorCode::kBlobUploadUnknown: return "BLOB_UPLOAD_UNKNOWN";
    case ErrorCode::kDigestInvalid: return "DIGEST_INVALID";
    case ErrorCode::kManifestBlobUnknown: return "MANIFEST_BLOB_UNKNOWN";
    case ErrorCode::kManifestInvalid: return "MANIFEST_INVALID";
    case ErrorCode::kManifestUnknown: return "MANIFEST_UNKNOWN";
    case ErrorCode::kNameInvalid: return "NAME_INVALID";
    case ErrorCode::kNameUnknown: return "NAME_UNKNOWN";
    case ErrorCode::kSizeInvalid: return "SIZE_INVALID";
    case ErrorCode::kUnauthorized: return "UNAUTHORIZED";
    case ErrorCode::kDenied: return "DENIED";
    case ErrorCode::kUnsupported: return "UNSUPPORTED";
    case ErrorCode::kTooManyRequests: return "TOOMANYREQUESTS";
    case ErrorCode::kRangeInvalid: return "RANGE_INVALID";
    case ErrorCode::kStillReferenced: return "UNSUPPORTED";
    case ErrorCode::kTooLarge: return "SIZE_INVALID";
    case ErrorCode::kStorage: return "UNKNOWN";
    case ErrorCode::kInsufficientStorage: return "DENIED";
    case ErrorCode::kInvalid: return "INVALID";
    case ErrorCode::kExists: return "EXISTS";
    case ErrorCode::kNotFound: return "NOT_FOUND";
    case ErrorCode::kInternal: return "UNKNOWN";
  }
  return "UNKNOWN";
}

void throw_errno(const std::string& what, int err) {
  std::string message = what + ": " + std::strerror(err);
  if (err == ENOSPC || err == EDQUOT) {
    throw Error(ErrorCode::kInsufficientStorage,
                message + " (free space on the data disk and retry)");
  }
  throw Error(ErrorCode::kStorage, message);
}

}  // namespace ferry

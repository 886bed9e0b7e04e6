// The one exception type Ferry throws for a failure it can name: a domain
// (whose vocabulary the code is in) and a code within it. Each domain's codes
// are an enum declared beside the code that raises them, tied to its domain
// by ErrorDomainOf. HTTP maps an Error once (wire_error(), daemon/api/errors.cc);
// exit codes once into classes (exit_class(), bundle/refusal.cc), which each
// program numbers in its own table because their documented codes differ.
//
// The lowest layer: ferrysign and ferrycore both link it (library ferrybase).
#pragma once

#include <concepts>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

namespace ferry {

enum class ErrorDomain {
  kRegistry,  // ErrorCode: the store, the OCI API and Ferry's admin API
  kBundle,    // bundle::BundleErrorKind (bundle/error.h): a bundle refused or not made
  kSigning,   // signing::SigningErrorKind (signing/error.h): a key or signature refused
  kKeyFile,   // cli::KeyFileErrorKind (bundler/key_files.h): a key file ferry cannot use
  kAccess,    // access::AccessErrorKind (access/rows.h): a user, token or grant change refused
  kRemote,    // ctl::RemoteErrorKind (ctl/remote_admin.h): ferryctl could not use the admin API
};

// The registry's codes are the OCI Distribution error codes because they are
// the vocabulary every client already speaks; daemon/api/errors.cc gives each
// its HTTP status and wire name.
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

// Which domain a code enum belongs to; each domain's header specialises it.
template <typename Code>
struct ErrorDomainOf;
template <>
struct ErrorDomainOf<ErrorCode> {
  static constexpr ErrorDomain value = ErrorDomain::kRegistry;
};

template <typename Code>
concept DomainCode = std::is_enum_v<Code> && requires {
  { ErrorDomainOf<Code>::value } -> std::convertible_to<ErrorDomain>;
};

// final: every failure is this type; a domain's data is a field, not a subclass.
class Error final : public std::runtime_error {
 public:
  // e.g. Error(ErrorCode::kBlobUnknown, "...") or Error(bundle::BundleErrorKind::kTampered, "...").
  template <DomainCode Code>
  Error(Code code, const std::string& message)
      : std::runtime_error(message),
        domain_(ErrorDomainOf<Code>::value),
        code_(static_cast<int>(code)) {}

  // A 401 (ErrorCode::kUnauthorized) whose response carries `challenge` as
  // its WWW-Authenticate header.
  static Error unauthorized(const std::string& message, std::string challenge) {
    Error e(ErrorCode::kUnauthorized, message);
    e.challenge_ = std::move(challenge);
    return e;
  }

  ErrorDomain domain() const { return domain_; }
  // The WWW-Authenticate challenge, set only by unauthorized().
  const std::optional<std::string>& challenge() const { return challenge_; }

  // The code when this error is in `Code`'s domain, nullopt otherwise: a catch
  // site asks for the domain it handles and rethrows the rest.
  template <DomainCode Code>
  std::optional<Code> code_in() const {
    if (domain_ != ErrorDomainOf<Code>::value) return std::nullopt;
    return static_cast<Code>(code_);
  }
  // True for exactly `code` (in its domain).
  template <DomainCode Code>
  bool is(Code code) const {
    return code_in<Code>() == code;
  }

  // The same domain, code and challenge with another message (a prefix
  // saying where, a hint).
  Error with_message(const std::string& message) const {
    Error e(domain_, code_, message);
    e.challenge_ = challenge_;
    return e;
  }

  // The disk, not the request, is at fault (storage or space).
  bool is_storage() const { return is(ErrorCode::kStorage) || is(ErrorCode::kInsufficientStorage); }

 private:
  Error(ErrorDomain domain, int code, const std::string& message)
      : std::runtime_error(message), domain_(domain), code_(code) {}

  ErrorDomain domain_;
  int code_;
  std::optional<std::string> challenge_;
};

// Throws kStorage with "<what>: <strerror(errno)>"; ENOSPC gets advice.
[[noreturn]] void throw_errno(const std::string& what, int err);

}  // namespace ferry

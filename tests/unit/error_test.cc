// ferry::Error's domains and codes, and the two mappings: exit codes
// (bundle/refusal.h, ferry's table in bundler/exit_codes.h) and HTTP
// (daemon/api/errors.h). The numbers are documented; scripts rely on them.
#include "signing/error.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "access/rows.h"
#include "bundle/error.h"
#include "bundle/refusal.h"
#include "bundler/exit_codes.h"
#include "bundler/key_files.h"
#include "daemon/api/errors.h"
#include "tests/support/in_process.h"

namespace ferry {
namespace {

using bundle::BundleErrorKind;
using signing::SigningErrorKind;

TEST(Error, CarriesItsDomainAndAnswersOnlyForIt) {
  Error e(BundleErrorKind::kTampered, "entry differs");
  EXPECT_EQ(e.domain(), ErrorDomain::kBundle);
  EXPECT_EQ(e.code_in<BundleErrorKind>(), BundleErrorKind::kTampered);
  EXPECT_FALSE(e.code_in<ErrorCode>()) << "no registry code, though both enums are ints";
  EXPECT_FALSE(e.code_in<SigningErrorKind>());
  EXPECT_TRUE(e.is(BundleErrorKind::kTampered));
  EXPECT_FALSE(e.is(BundleErrorKind::kDamaged));
  EXPECT_FALSE(e.is_storage());
  EXPECT_STREQ(e.what(), "entry differs");
}

TEST(Error, WithMessageKeepsDomainAndCode) {
  Error e = Error(SigningErrorKind::kUnknownKey, "unknown key").with_message("unknown key; hint");
  EXPECT_TRUE(e.is(SigningErrorKind::kUnknownKey));
  EXPECT_STREQ(e.what(), "unknown key; hint");
}

TEST(Error, OnlyUnauthorizedCarriesAChallengeAndKeepsIt) {
  Error e = Error::unauthorized("log in first", "Basic realm=\"ferry\"");
  EXPECT_TRUE(e.is(ErrorCode::kUnauthorized));
  EXPECT_EQ(e.challenge(), "Basic realm=\"ferry\"");
  EXPECT_EQ(e.with_message("again").challenge(), e.challenge());
  EXPECT_FALSE(Error(ErrorCode::kUnauthorized, "").challenge());
}

TEST(Error, StorageIsTheRegistrysDiskCodes) {
  EXPECT_TRUE(Error(ErrorCode::kStorage, "").is_storage());
  EXPECT_TRUE(Error(ErrorCode::kInsufficientStorage, "").is_storage());
  EXPECT_FALSE(Error(ErrorCode::kBlobUnknown, "").is_storage());
  EXPECT_FALSE(Error(BundleErrorKind::kNoSpace, "").is_storage()) << "a refusal, not a failure";
}

struct RefusalCase {
  Error error;
  int exit_code;
  std::string_view name;
};

TEST(ExitClass, EveryRefusalHasItsSharedNumberAndName) {
  const RefusalCase cases[] = {
      {Error(SigningErrorKind::kBadSignature, ""), 10, "bad-signature"},
      {Error(SigningErrorKind::kBadTrustedComment, ""), 10, "bad-signature"},
      {Error(SigningErrorKind::kUnknownKey, ""), 11, "unknown-key"},
      {Error(SigningErrorKind::kMalformed, ""), 12, "not-a-bundle"},
      {Error(SigningErrorKind::kUnsupported, ""), 12, "not-a-bundle"},
      {Error(BundleErrorKind::kMalformed, ""), 12, "not-a-bundle"},
      {Error(BundleErrorKind::kTampered, ""), 13, "tampered"},
      {Error(BundleErrorKind::kDamaged, ""), 14, "damaged"},
      {Error(BundleErrorKind::kUnlisted, ""), 15, "unlisted-entry"},
      {Error(BundleErrorKind::kOversized, ""), 16, "oversized-entry"},
      {Error(BundleErrorKind::kIncomplete, ""), 17, "incomplete"},
      {Error(BundleErrorKind::kMissingVolume, ""), 18, "missing-volume"},
      {Error(BundleErrorKind::kBusy, ""), 20, "busy"},
      {Error(BundleErrorKind::kRollback, ""), 21, "rollback"},
      {Error(BundleErrorKind::kExpired, ""), 22, "expired"},
      {Error(BundleErrorKind::kMissingBase, ""), 23, "missing-base"},
      {Error(BundleErrorKind::kNoSpace, ""), 24, "no-space"},
      {Error(BundleErrorKind::kQuota, ""), 25, "quota"},
      {Error(BundleErrorKind::kNotAllowed, ""), 26, "not-allowed"},
      {Error(BundleErrorKind::kImmutable, ""), 27, "immutable"},
  };
  for (const auto& c : cases) {
    auto d = exit_class(c.error);
    EXPECT_EQ(d.exit_class, ExitClass::kRefused) << c.name;
    ASSERT_TRUE(d.refusal) << c.name;
    EXPECT_EQ(d.refusal->exit_code, c.exit_code) << c.name;
    EXPECT_EQ(d.refusal->name, c.name);
    EXPECT_EQ(cli::exit_code(c.error), c.exit_code) << "ferry uses the shared number";
  }
}

TEST(ExitClass, TheOtherClassesAndFerrysNumbersForThem) {
  auto cls = [](const Error& e) {
    auto d = exit_class(e);
    EXPECT_EQ(d.refusal.has_value(), d.exit_class == ExitClass::kRefused);
    return d.exit_class;
  };
  Error passphrase(SigningErrorKind::kWrongPassphrase, "");
  Error key_file(cli::KeyFileErrorKind::kWrongKind, "");
  Error source(BundleErrorKind::kSource, "");
  Error storage(ErrorCode::kStorage, "");
  Error other(ErrorCode::kNotFound, "");
  EXPECT_EQ(cls(passphrase), ExitClass::kKey);
  EXPECT_EQ(cls(key_file), ExitClass::kKey);
  EXPECT_EQ(cls(source), ExitClass::kSource);
  EXPECT_EQ(cls(storage), ExitClass::kStorage);
  EXPECT_EQ(cls(other), ExitClass::kOther);
  // docs/ferry-cli.md: 4 key, 5 source, 3 a file (the disk's failures too).
  EXPECT_EQ(cli::exit_code(passphrase), 4);
  EXPECT_EQ(cli::exit_code(key_file), 4);
  EXPECT_EQ(cli::exit_code(source), 5);
  EXPECT_EQ(cli::exit_code(storage), 3);
  EXPECT_EQ(cli::exit_code(other), 3);
}

TEST(ReportFailure, UsageAndUnexpectedFailuresOutsideError) {
  auto code_of = [](auto thrown) {
    try {
      throw thrown;
    } catch (const std::exception&) {
      return cli::report_failure(std::current_exception());
    }
  };
  EXPECT_EQ(code_of(std::invalid_argument("bad reference")), 2);
  EXPECT_EQ(code_of(std::runtime_error("anything")), 1);
  EXPECT_EQ(code_of(Error(BundleErrorKind::kTampered, "x")), 13);
}

TEST(WireError, OnlyTheRegistryDomainReachesClients) {
  auto wire = api::wire_error(Error(ErrorCode::kInsufficientStorage, ""));
  ASSERT_TRUE(wire);
  EXPECT_EQ(wire->status, 507u);
  EXPECT_EQ(wire->code, "DENIED");
  wire = api::wire_error(Error(ErrorCode::kStillReferenced, ""));
  ASSERT_TRUE(wire);
  EXPECT_EQ(wire->status, 405u);
  EXPECT_EQ(wire->code, "UNSUPPORTED");
  auto access = [](access::AccessErrorKind kind) {
    auto w = api::wire_error(Error(kind, ""));
    return w ? std::to_string(w->status) + " " + std::string(w->code) : "none";
  };
  EXPECT_EQ(access(access::AccessErrorKind::kInvalid), "400 INVALID");
  EXPECT_EQ(access(access::AccessErrorKind::kExists), "409 EXISTS");
  EXPECT_EQ(access(access::AccessErrorKind::kUnknown), "404 NOT_FOUND");
  EXPECT_FALSE(api::wire_error(Error(BundleErrorKind::kTampered, "")));
  EXPECT_FALSE(api::wire_error(Error(SigningErrorKind::kUnknownKey, "")));
}

TEST(WireError, AnotherDomainIsAnInternalErrorWithoutItsDetail) {
  http::Router throws = [](const http::Request&,
                           http::RouteInfo&) -> std::unique_ptr<http::Exchange> {
    throw Error(BundleErrorKind::kTampered, "secret detail");
  };
  testing::Reply r =
      testing::drive(throws, api::render_error, testing::make_request("GET", "/v2/"));
  EXPECT_API_ERROR(r, 500u, "UNKNOWN");
  EXPECT_EQ(r.body.find("secret detail"), std::string::npos);
}

}  // namespace
}  // namespace ferry

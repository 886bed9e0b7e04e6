#include "core/digest.h"

#include <gtest/gtest.h>

#include "base/error.h"

namespace ferry {
namespace {

TEST(Digest, KnownVectors) {
  EXPECT_EQ(digest_of("").str(),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(digest_of("abc", DigestAlgorithm::kSha512).hex().substr(0, 16), "ddaf35a193617aba");
}

TEST(Digest, ParsesOnlyCanonicalForms) {
  std::string hex64(64, 'a');
  EXPECT_TRUE(Digest::parse("sha256:" + hex64));
  EXPECT_TRUE(Digest::parse("sha512:" + std::string(128, '0')));
  EXPECT_FALSE(Digest::parse("sha256:" + std::string(64, 'A'))) << "upper-case hex";
  EXPECT_FALSE(Digest::parse("sha256:" + hex64.substr(1))) << "short";
  EXPECT_FALSE(Digest::parse("sha512:" + hex64)) << "wrong length for sha512";
  EXPECT_FALSE(Digest::parse("md5:" + std::string(32, 'a')));
  EXPECT_FALSE(Digest::parse(hex64));
  EXPECT_FALSE(Digest::parse("sha256:../../" + hex64.substr(6)));
  EXPECT_FALSE(Digest::parse(""));
}

TEST(Digest, ParseOrThrowSaysWhatIsExpected) {
  try {
    Digest::parse_or_throw("sha256:nope");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code_in<ErrorCode>(), ErrorCode::kDigestInvalid);
    EXPECT_NE(std::string(e.what()).find("sha256:<64 hex>"), std::string::npos);
  }
}

TEST(Hasher, IncrementalEqualsWholeAndCopiesSnapshotState) {
  Hasher h;
  h.update("hello ");
  Hasher snapshot = h;
  h.update("world");
  EXPECT_EQ(h.digest(), digest_of("hello world"));
  EXPECT_EQ(h.digest(), h.digest()) << "digest() must not consume the state";
  snapshot.update("there");
  EXPECT_EQ(snapshot.digest(), digest_of("hello there"));
}

}  // namespace
}  // namespace ferry

#include <gtest/gtest.h>

#include <cstring>
#include <functional>

#include "signing/error.h"
#include "signing/keys.h"
#include "signing/signature.h"

namespace ferry::signing {
namespace {

// Light scrypt limits keep the tests fast; the limits travel in the file.
constexpr uint64_t kTestOps = 32768, kTestMem = 16 << 20;

std::array<unsigned char, 64> prehash_of(std::string_view data) {
  Prehash h;
  h.update(data.data(), data.size());
  return h.final();
}

SigningErrorKind kind_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    if (auto kind = e.code_in<SigningErrorKind>()) return *kind;
  }
  ADD_FAILURE() << "no signing error";
  return SigningErrorKind::kMalformed;
}

TEST(Keys, UnencryptedRoundTripKeepsIdAndKey) {
  SecretKey key = SecretKey::generate();
  std::string file = key.to_file(std::nullopt);
  EXPECT_EQ(file.substr(0, 19), "untrusted comment: ");
  SecretKey back = SecretKey::parse(file, [] { return std::string_view("unused"); });
  EXPECT_EQ(back.id(), key.id());
  EXPECT_EQ(back.public_key().base64(), key.public_key().base64());
  PublicKey pub = PublicKey::parse(key.public_key().to_file());
  EXPECT_EQ(pub.id(), key.id());
  EXPECT_EQ(PublicKey::parse(pub.base64()).key(), pub.key()) << "the bare base64 line works too";
  EXPECT_EQ(key.id().hex().size(), 16u);
}

TEST(Keys, EncryptedKeyNeedsTheRightPassphrase) {
  SecretKey key = SecretKey::generate();
  std::string file = key.to_file(std::string_view("correct horse"), kTestOps, kTestMem);
  bool asked = false;
  SecretKey back = SecretKey::parse(file, [&] {
    asked = true;
    return std::string_view("correct horse");
  });
  EXPECT_TRUE(asked);
  EXPECT_EQ(back.public_key().base64(), key.public_key().base64());
  EXPECT_EQ(kind_of([&] { SecretKey::parse(file, [] { return std::string_view("wrong"); }); }),
            SigningErrorKind::kWrongPassphrase);
}

TEST(Keys, MalformedFilesAreRefused) {
  auto none = [] { return std::string_view(""); };
  EXPECT_EQ(kind_of([&] { PublicKey::parse("hello"); }), SigningErrorKind::kMalformed);
  EXPECT_EQ(kind_of([&] { PublicKey::parse("a\nb\nc\n"); }), SigningErrorKind::kMalformed);
  EXPECT_EQ(kind_of([&] { SecretKey::parse("untrusted comment: x\nAAAA\n", none); }),
            SigningErrorKind::kMalformed);
  std::string damaged = SecretKey::generate().to_file(std::nullopt);
  damaged[damaged.size() - 10] = damaged[damaged.size() - 10] == 'A' ? 'B' : 'A';
  EXPECT_EQ(kind_of([&] { SecretKey::parse(damaged, none); }), SigningErrorKind::kMalformed)
      << "a damaged unencrypted key fails its checksum";
}

TEST(Keys, SecretKeyWithMinisignsZeroChecksumLoads) {
  // `minisign -G -W` writes unencrypted keys with an all-zero checksum.
  SecretKey key = SecretKey::generate();
  std::string file = key.to_file(std::nullopt);
  auto lines = file.substr(file.find('\n') + 1);
  std::string b64 = lines.substr(0, lines.find('\n'));
  unsigned char raw[158];
  size_t len = 0;
  ASSERT_EQ(sodium_base642bin(raw, sizeof raw, b64.data(), b64.size(), nullptr, &len, nullptr,
                              sodium_base64_VARIANT_ORIGINAL),
            0);
  std::memset(raw + 158 - 32, 0, 32);
  char out[256];
  sodium_bin2base64(out, sizeof out, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
  std::string zeroed = "untrusted comment: minisign secret key\n" + std::string(out) + "\n";
  SecretKey back = SecretKey::parse(zeroed, [] { return std::string_view(""); });
  EXPECT_EQ(back.public_key().base64(), key.public_key().base64());
  raw[70] ^= 1;  // damage the seed (key id: bytes 54-61, seed: 62-93)
  sodium_bin2base64(out, sizeof out, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
  std::string damaged = "untrusted comment: x\n" + std::string(out) + "\n";
  EXPECT_EQ(kind_of([&] { SecretKey::parse(damaged, [] { return std::string_view(""); }); }),
            SigningErrorKind::kMalformed)
      << "the seed and public halves no longer agree";
}

TEST(Signatures, SignVerifyAndEveryWayToBreakIt) {
  SecretKey key = SecretKey::generate();
  PublicKey pub = key.public_key();
  auto hash = prehash_of("bundle bytes");
  Signature sig = sign_prehashed(key, hash, "bundle=abc channel=stable sequence=7");
  Signature parsed = Signature::parse(sig.to_file());
  EXPECT_NO_THROW(verify_prehashed(pub, parsed, hash));
  EXPECT_EQ(parsed.trusted_comment, "bundle=abc channel=stable sequence=7");

  EXPECT_EQ(kind_of([&] { verify_prehashed(pub, parsed, prehash_of("bundle bytez")); }),
            SigningErrorKind::kBadSignature);
  Signature edited = parsed;
  edited.trusted_comment = "bundle=abc channel=stable sequence=9";
  EXPECT_EQ(kind_of([&] { verify_prehashed(pub, edited, hash); }),
            SigningErrorKind::kBadTrustedComment);
  EXPECT_EQ(kind_of([&] { verify_prehashed(SecretKey::generate().public_key(), parsed, hash); }),
            SigningErrorKind::kUnknownKey);
  EXPECT_EQ(kind_of([&] { sign_prehashed(key, hash, "two\nlines"); }),
            SigningErrorKind::kMalformed);
  EXPECT_EQ(kind_of([&] { Signature::parse("untrusted comment: x\n"); }),
            SigningErrorKind::kMalformed);
}

}  // namespace
}  // namespace ferry::signing

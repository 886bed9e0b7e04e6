#include "core/bundle_format.h"

#include <gtest/gtest.h>

#include "core/bundle_error.h"

namespace ferry::bundle {
namespace {

Manifest sample() {
  Manifest m;
  m.created = "2026-11-28T00:00:00Z";
  m.channel = "stable";
  m.sequence = 7;
  m.images.push_back({"team/app:v1",
                      digest_of("m"),
                      1,
                      "application/vnd.oci.image.index.v1+json",
                      {"linux/amd64", "linux/arm64/v8"},
                      3});
  m.blobs.push_back({digest_of("a"), 1, "x"});
  m.blobs.push_back({digest_of("b"), 2, "y"});
  std::sort(m.blobs.begin(), m.blobs.end(),
            [](const BlobEntry& x, const BlobEntry& y) { return x.digest < y.digest; });
  m.index_digest = digest_of("index");
  m.index_size = 5;
  m.assign_id();
  return m;
}

BundleErrorKind kind_of(const std::string& json) {
  try {
    Manifest::parse(json);
  } catch (const BundleError& e) {
    return e.kind();
  }
  return BundleErrorKind::kSource;  // "no error"
}

TEST(BundleManifest, RoundTripsAndTheIdFollowsTheContent) {
  Manifest m = sample();
  EXPECT_EQ(m.id.size(), 32u);
  Manifest back = Manifest::parse(m.to_json());
  EXPECT_EQ(back.to_json(), m.to_json()) << "canonical: parse then dump gives the same bytes";
  EXPECT_EQ(back.images[0].platforms, m.images[0].platforms);
  EXPECT_EQ(back.images[0].content_bytes, 3u);
  EXPECT_EQ(back.trusted_comment(), "ferry-bundle id=" + m.id + " channel=stable sequence=7");
  Manifest again = sample();
  EXPECT_EQ(again.id, m.id) << "same content, same id";
  again.sequence = 8;
  again.assign_id();
  EXPECT_NE(again.id, m.id);
}

TEST(BundleManifest, RefusesWhatIsNotVersionOne) {
  std::string good = sample().to_json();
  EXPECT_EQ(kind_of("[]"), BundleErrorKind::kMalformed);
  std::string v2 = good;
  v2.replace(v2.find("\"version\":1"), 11, "\"version\":2");
  EXPECT_EQ(kind_of(v2), BundleErrorKind::kMalformed);
  std::string bad_digest = good;
  bad_digest.replace(bad_digest.find("sha256:"), 7, "md5:");
  EXPECT_EQ(kind_of(bad_digest), BundleErrorKind::kMalformed);
  std::string unsorted = good;
  auto a = unsorted.find("{\"digest\"");
  auto b = unsorted.find("{\"digest\"", a + 1);
  auto end_a = unsorted.find('}', a) + 1;
  auto end_b = unsorted.find('}', b) + 1;
  std::string first = unsorted.substr(a, end_a - a), second = unsorted.substr(b, end_b - b);
  unsorted.replace(b, second.size(), first);
  unsorted.replace(a, first.size(), second);
  EXPECT_EQ(kind_of(unsorted), BundleErrorKind::kMalformed) << "blobs must be sorted";
}

TEST(BundleManifest, BlobEntryNames) {
  EXPECT_EQ(blob_entry_name(digest_of("")),
            "blobs/sha256/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

}  // namespace
}  // namespace ferry::bundle

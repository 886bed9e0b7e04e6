#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "bundle/error.h"
#include "bundle/format.h"

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
                      3,
                      {}});
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
  } catch (const Error& e) {
    if (auto kind = e.code_in<BundleErrorKind>()) return *kind;
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

// A mediaType that is not a string is malformed, not a json::type_error
// (found by fuzz/bundle_manifest_fuzz.cc).
TEST(BundleManifest, RefusesAMediaTypeThatIsNotAString) {
  std::string json = sample().to_json();
  const std::string type = "\"application/vnd.ferry.bundle.manifest.v1+json\"";
  for (const char* odd : {"1", "null", "[]", "{}"}) {
    std::string bad = json;
    bad.replace(bad.find(type), type.size(), odd);
    EXPECT_EQ(kind_of(bad), BundleErrorKind::kMalformed) << odd;
  }
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

// An image with an SBOM, a signature of the SBOM, and a cosign .sig tag.
Manifest with_referrers() {
  Manifest m = sample();
  const Digest image = m.images[0].digest;
  m.images[0].referrers = {
      {digest_of("sbom"), 10, "application/vnd.oci.image.manifest.v1+json", image,
       "application/spdx+json", ""},
      {digest_of("sig-of-sbom"), 11, "application/vnd.oci.image.manifest.v1+json",
       digest_of("sbom"), "application/vnd.dev.cosign.artifact.sig.v1+json", ""},
      {digest_of("cosign"), 12, "application/vnd.oci.image.manifest.v1+json", image, "",
       "sha256-" + image.hex() + ".sig"},
  };
  m.assign_id();
  return m;
}

TEST(BundleManifest, WithoutReferrersTheJsonIsAsBefore) {
  std::string json = sample().to_json();
  EXPECT_EQ(json.find("referrers"), std::string::npos) << "older bundles' ids stay the same";
  EXPECT_TRUE(Manifest::parse(json).images[0].referrers.empty());
}

TEST(BundleManifest, ReferrersRoundTripUnderTheirImage) {
  Manifest m = with_referrers();
  EXPECT_NE(m.id, sample().id);
  Manifest back = Manifest::parse(m.to_json());
  EXPECT_EQ(back.to_json(), m.to_json());
  ASSERT_EQ(back.images[0].referrers.size(), 3u);
  EXPECT_EQ(back.referrer_count(), 3u);
  const auto& sbom = back.images[0].referrers[0];
  EXPECT_EQ(sbom.subject, m.images[0].digest);
  EXPECT_EQ(sbom.artifact_type, "application/spdx+json");
  EXPECT_EQ(sbom.size, 10u);
  EXPECT_EQ(back.images[0].referrers[1].subject, digest_of("sbom"));
  EXPECT_EQ(back.images[0].referrers[2].tag, "sha256-" + m.images[0].digest.hex() + ".sig");
  EXPECT_EQ(back.images[0].referrers[2].artifact_type, "");
  EXPECT_EQ(m.to_json().find("\"tag\":\"\""), std::string::npos) << "no empty tag field";
}

TEST(BundleManifest, RefusesABadReferrer) {
  std::string good = with_referrers().to_json();
  std::string no_subject = good;
  no_subject.replace(no_subject.find("\"subject\""), 9, "\"subjekt\"");
  EXPECT_EQ(kind_of(no_subject), BundleErrorKind::kMalformed);
  std::string not_a_list = good;
  not_a_list.replace(not_a_list.find("\"referrers\":["), 13, "\"referrers\":7,\"x\":[");
  EXPECT_EQ(kind_of(not_a_list), BundleErrorKind::kMalformed);
}

// Only the tag schema's names for the referrer's own subject: any other tag
// would let a bundle move an ordinary tag (found by a new user's attack).
TEST(BundleManifest, RefusesAReferrerTagThatIsNotItsSubjectsSchemaName) {
  const std::string image_hex = with_referrers().images[0].digest.hex();
  const std::string cosign_tag = "sha256-" + image_hex + ".sig";
  for (const std::string& ok :
       {"sha256-" + image_hex, "sha256-" + image_hex + ".att", "sha256-" + image_hex + ".sbom"}) {
    std::string json = with_referrers().to_json();
    json.replace(json.find(cosign_tag), cosign_tag.size(), ok);
    EXPECT_NO_THROW(Manifest::parse(json)) << ok;
  }
  const std::string other_hex = digest_of("sbom").hex();
  for (const std::string& bad :
       {std::string("prod"), std::string("latest"), "sha256-" + other_hex + ".sig",
        "sha256-" + image_hex + ".", "sha256-" + image_hex + ".SIG",
        "sha256-" + image_hex + ".sig.x", "sha512-" + image_hex + ".sig"}) {
    std::string json = with_referrers().to_json();
    json.replace(json.find(cosign_tag), cosign_tag.size(), bad);
    EXPECT_EQ(kind_of(json), BundleErrorKind::kMalformed) << bad;
  }
}

TEST(LayoutIndex, NamesImagesAndTaggedReferrersAndListsTheOthersUntagged) {
  Manifest m = with_referrers();
  std::string index = layout_index(m);
  auto doc = nlohmann::json::parse(index);
  ASSERT_EQ(doc["manifests"].size(), 4u);
  EXPECT_EQ(doc["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"], "team/app:v1");
  EXPECT_EQ(doc["manifests"][1]["artifactType"], "application/spdx+json");
  EXPECT_FALSE(doc["manifests"][1].contains("annotations"));
  EXPECT_EQ(doc["manifests"][3]["annotations"]["org.opencontainers.image.ref.name"],
            "team/app:sha256-" + m.images[0].digest.hex() + ".sig");
  EXPECT_NO_THROW(check_layout_index(index, m));
  EXPECT_NO_THROW(check_layout_index(layout_index(sample()), sample()));
}

TEST(LayoutIndex, RefusesAnIndexThatDiffersFromTheManifest) {
  Manifest m = with_referrers();
  auto doc = nlohmann::json::parse(layout_index(m));
  auto kind = [&](const nlohmann::json& d) {
    try {
      check_layout_index(d.dump(), m);
    } catch (const Error& e) {
      if (auto k = e.code_in<BundleErrorKind>()) return *k;
    }
    return BundleErrorKind::kSource;
  };
  auto missing = doc;
  missing["manifests"].erase(1);
  EXPECT_EQ(kind(missing), BundleErrorKind::kTampered) << "an untagged referrer left out";
  auto extra = doc;
  extra["manifests"].push_back({{"digest", digest_of("other").str()}, {"size", 1}});
  EXPECT_EQ(kind(extra), BundleErrorKind::kTampered) << "an untagged entry not in the manifest";
  auto twice = doc;
  twice["manifests"].push_back(doc["manifests"][0]);
  EXPECT_EQ(kind(twice), BundleErrorKind::kTampered) << "a name given twice";
  EXPECT_EQ(kind(nlohmann::json::array()), BundleErrorKind::kTampered);
  // Issue 13 item 6: every field of every entry counts, and its type.
  auto untagged_twice = doc;
  untagged_twice["manifests"].push_back(doc["manifests"][1]);
  EXPECT_EQ(kind(untagged_twice), BundleErrorKind::kTampered) << "an untagged referrer twice";
  auto number = doc;
  number["manifests"][0]["digest"] = 12345;
  EXPECT_EQ(kind(number), BundleErrorKind::kTampered) << "a number for a digest";
  auto resized = doc;
  resized["manifests"][0]["size"] = 1000;
  EXPECT_EQ(kind(resized), BundleErrorKind::kTampered) << "a size other than the manifest's";
  auto retyped = doc;
  retyped["manifests"][0]["mediaType"] = "application/vnd.oci.image.manifest.v1+json";
  EXPECT_EQ(kind(retyped), BundleErrorKind::kTampered) << "a media type other than the manifest's";
  auto bad_ref = doc;
  bad_ref["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"] = 7;
  EXPECT_EQ(kind(bad_ref), BundleErrorKind::kTampered) << "a ref name that is not a string";
}

TEST(LayoutIndex, IsReadAsStrictJson) {
  Manifest m = with_referrers();
  std::string index = layout_index(m);
  auto message = [&](const std::string& text) -> std::string {
    try {
      check_layout_index(text, m);
    } catch (const Error& e) {
      EXPECT_EQ(e.code_in<BundleErrorKind>(), BundleErrorKind::kTampered);
      return e.what();
    }
    return "accepted";
  };
  EXPECT_EQ(message(index), "accepted");
  EXPECT_NE(message(index + std::string("\0junk", 5)).find("NUL byte"), std::string::npos);
  std::string dup = index;
  std::string first = "\"digest\":\"" + m.images[0].digest.str() + "\"";
  dup.replace(dup.find(first), first.size(),
              "\"digest\":\"" + digest_of("nowhere").str() + "\"," + first);
  EXPECT_NE(message(dup).find("the key \"digest\" twice"), std::string::npos) << message(dup);
}

TEST(BundleManifest, IsReadAsStrictJsonWithTypedFields) {
  std::string json = sample().to_json();
  EXPECT_EQ(kind_of(json + " x"), BundleErrorKind::kMalformed);
  EXPECT_EQ(kind_of(json + std::string("\0", 1)), BundleErrorKind::kMalformed);
  std::string dup = json;
  dup.replace(dup.find("\"channel\":"), 10, "\"channel\":\"a\",\"channel\":");
  EXPECT_EQ(kind_of(dup), BundleErrorKind::kMalformed) << "a key twice";
  std::string number = json;
  std::string type = "\"mediaType\":\"application/vnd.ferry.bundle.manifest.v1+json\"";
  number.replace(number.find(type), type.size(), "\"mediaType\":5");
  EXPECT_EQ(kind_of(number), BundleErrorKind::kMalformed) << "a number for the mediaType";
}

TEST(BundleManifest, BlobEntryNames) {
  EXPECT_EQ(blob_entry_name(digest_of("")),
            "blobs/sha256/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

}  // namespace
}  // namespace ferry::bundle

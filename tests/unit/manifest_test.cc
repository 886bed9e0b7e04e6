#include "core/manifest.h"

#include <gtest/gtest.h>

#include "base/error.h"
#include "core/media_types.h"

namespace ferry {
namespace {

const std::string kA = "sha256:" + std::string(64, 'a');
const std::string kB = "sha256:" + std::string(64, 'b');

std::string image(const std::string& extra = "") {
  return R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
         R"("config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" +
         kA +
         R"(","size":2},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":")" +
         kB + R"(","size":10}])" + extra + "}";
}

ErrorCode code_of(const std::string& body, const std::string& type = "") {
  try {
    parse_manifest(body, type);
  } catch (const Error& e) {
    return e.code_in<ErrorCode>().value_or(ErrorCode::kInternal);
  }
  return ErrorCode::kInternal;
}

TEST(Manifest, ParsesImageWithBlobsAndDefaultArtifactType) {
  auto m = parse_manifest(image(), std::string(media::kOciManifest));
  EXPECT_FALSE(m.is_index);
  ASSERT_EQ(m.blobs.size(), 2u);
  EXPECT_EQ(m.blobs[1].size, 10u);
  EXPECT_EQ(m.artifact_type, "application/vnd.oci.image.config.v1+json");
  EXPECT_FALSE(m.subject);
}

TEST(Manifest, SubjectArtifactTypeAndAnnotations) {
  auto m = parse_manifest(image(R"(,"artifactType":"application/x.sig","subject":{"mediaType":")" +
                                std::string(media::kOciManifest) + R"(","digest":")" + kA +
                                R"(","size":5},"annotations":{"k":"v"})"),
                          "");
  ASSERT_TRUE(m.subject);
  EXPECT_EQ(m.subject->digest.str(), kA);
  EXPECT_EQ(m.artifact_type, "application/x.sig");
  EXPECT_EQ(m.annotations, R"({"k":"v"})");
}

TEST(Manifest, IndexAndDockerList) {
  std::string idx = R"({"schemaVersion":2,"manifests":[{"mediaType":")" +
                    std::string(media::kOciManifest) + R"(","digest":")" + kA +
                    R"(","size":7,"platform":{"os":"linux","architecture":"arm64"}}]})";
  auto m = parse_manifest(idx, "");
  EXPECT_TRUE(m.is_index) << "inferred from shape when no type is given";
  EXPECT_EQ(m.manifests.size(), 1u);
  auto d = parse_manifest(idx, std::string(media::kDockerManifestList));
  EXPECT_EQ(d.media_type, media::kDockerManifestList);
}

TEST(Manifest, RefusesWhatIsNotAManifest) {
  EXPECT_EQ(code_of("not json"), ErrorCode::kManifestInvalid);
  EXPECT_EQ(code_of("[1,2]"), ErrorCode::kManifestInvalid);
  EXPECT_EQ(code_of(R"({"schemaVersion":1,"name":"x"})"), ErrorCode::kManifestInvalid);
  EXPECT_EQ(code_of(R"({"schemaVersion":2})"), ErrorCode::kManifestInvalid);
  EXPECT_EQ(code_of(image(), "application/vnd.docker.distribution.manifest.v2+json"),
            ErrorCode::kManifestInvalid)
      << "mediaType and Content-Type disagree";
  EXPECT_EQ(code_of(image(), "application/x-unknown"), ErrorCode::kManifestInvalid);
  std::string bad_digest = image();
  bad_digest.replace(bad_digest.find(kB), kB.size(), "sha256:xyz");
  EXPECT_EQ(code_of(bad_digest), ErrorCode::kManifestInvalid);
  std::string negative = image();
  negative.replace(negative.find("\"size\":10"), 9, "\"size\":-1");
  EXPECT_EQ(code_of(negative), ErrorCode::kManifestInvalid);
  EXPECT_EQ(code_of(image(R"(,"annotations":{"k":1})")), ErrorCode::kManifestInvalid);
}

TEST(Manifest, ForeignLayersWithUrlsAreExternal) {
  std::string m = image();
  m.replace(m.find("application/vnd.oci.image.layer.v1.tar\""), 39,
            R"(application/vnd.oci.image.layer.nondistributable.v1.tar","urls":["https://x"])");
  auto parsed = parse_manifest(m, "");
  EXPECT_TRUE(parsed.blobs[1].external);
  EXPECT_FALSE(parsed.blobs[0].external);
}

}  // namespace
}  // namespace ferry

// Manifest PUT/GET/HEAD/DELETE and their refusals, through api::make_router
// in process.
#include <gtest/gtest.h>

#include <limits>

#include "tests/support/in_process.h"
#include "tests/support/manifests.h"

namespace ferry::testing {
namespace {

constexpr const char* kOciManifest = "application/vnd.oci.image.manifest.v1+json";
constexpr const char* kOciIndex = "application/vnd.oci.image.index.v1+json";

class ApiManifests : public ::testing::Test {
 protected:
  InProcess api_;
  Digest config_ = api_.push_blob("team/app", "{}");
  Digest layer_ = api_.push_blob("team/app", "layer");
  std::string manifest_ = oci_image_manifest(config_, 2, layer_, 5);

  Reply put(const std::string& reference, const std::string& body,
            const std::string& type = kOciManifest) {
    return api_.put("/v2/team/app/manifests/" + reference, body, {{"Content-Type", type}});
  }
};

TEST_F(ApiManifests, PutByTagAnswers201WithLocationAndDigest) {
  Digest d = digest_of(manifest_);
  Reply r = put("v1", manifest_);
  EXPECT_EQ(r.status, 201u) << r.body;
  EXPECT_EQ(r.header("Location"), "/v2/team/app/manifests/" + d.str());
  EXPECT_EQ(r.header("Docker-Content-Digest"), d.str());
  EXPECT_FALSE(r.header("OCI-Subject"));
}

TEST_F(ApiManifests, GetByTagAndDigestServesTheBytesAsPushed) {
  Digest d = api_.push_manifest("team/app", "v1", manifest_);
  for (const std::string& ref : {std::string("v1"), d.str()}) {
    Reply r = api_.get("/v2/team/app/manifests/" + ref);
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.body, manifest_);
    EXPECT_EQ(r.header("Content-Type"), kOciManifest);
    EXPECT_EQ(r.header("Docker-Content-Digest"), d.str());
    EXPECT_EQ(r.header("ETag"), "\"" + d.str() + "\"");
  }
}

TEST_F(ApiManifests, HeadGivesLengthAndDigestWithoutBody) {
  Digest d = api_.push_manifest("team/app", "v1", manifest_);
  Reply r = api_.head("/v2/team/app/manifests/v1");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.header("Content-Length"), std::to_string(manifest_.size()));
  EXPECT_EQ(r.header("Docker-Content-Digest"), d.str());
}

TEST_F(ApiManifests, PutByDigest) {
  Digest d = digest_of(manifest_);
  EXPECT_EQ(put(d.str(), manifest_).status, 201u);
  EXPECT_EQ(api_.get("/v2/team/app/manifests/" + d.str()).body, manifest_);
}

TEST_F(ApiManifests, SubjectIsAnsweredAsOciSubject) {
  Digest subject = digest_of("not pushed yet");
  std::string body = oci_image_manifest(
      config_, 2, layer_, 5,
      R"(,"subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
          subject.str() + R"(","size":10})");
  Reply r = put(digest_of(body).str(), body);
  EXPECT_EQ(r.status, 201u) << r.body;
  EXPECT_EQ(r.header("OCI-Subject"), subject.str());
}

TEST_F(ApiManifests, DeleteByTagRemovesOnlyTheTag) {
  Digest d = api_.push_manifest("team/app", "v1", manifest_);
  EXPECT_EQ(api_.del("/v2/team/app/manifests/v1").status, 202u);
  EXPECT_API_ERROR(api_.get("/v2/team/app/manifests/v1"), 404u, "MANIFEST_UNKNOWN");
  EXPECT_EQ(api_.get("/v2/team/app/manifests/" + d.str()).status, 200u);
}

TEST_F(ApiManifests, DeleteByDigestRemovesItsTags) {
  Digest d = api_.push_manifest("team/app", "v1", manifest_);
  EXPECT_EQ(api_.del("/v2/team/app/manifests/" + d.str()).status, 202u);
  EXPECT_API_ERROR(api_.get("/v2/team/app/manifests/" + d.str()), 404u, "MANIFEST_UNKNOWN");
  EXPECT_API_ERROR(api_.get("/v2/team/app/manifests/v1"), 404u, "MANIFEST_UNKNOWN");
}

TEST_F(ApiManifests, UnknownTagOrDigestIsManifestUnknown) {
  api_.push_manifest("team/app", "v1", manifest_);
  EXPECT_API_ERROR(api_.get("/v2/team/app/manifests/v2"), 404u, "MANIFEST_UNKNOWN");
  EXPECT_API_ERROR(api_.get("/v2/team/app/manifests/" + digest_of("x").str()), 404u,
                   "MANIFEST_UNKNOWN");
  EXPECT_API_ERROR(api_.del("/v2/team/app/manifests/v2"), 404u, "MANIFEST_UNKNOWN");
}

TEST_F(ApiManifests, TagOutsideTheGrammarIsManifestUnknown) {
  api_.push_manifest("team/app", "v1", manifest_);
  EXPECT_API_ERROR(api_.get("/v2/team/app/manifests/.INVALID_MANIFEST_NAME"), 404u,
                   "MANIFEST_UNKNOWN");
}

TEST_F(ApiManifests, TypeNotInAcceptIsManifestUnknownByTagButServedByDigest) {
  Digest d = api_.push_manifest("team/app", "v1", manifest_);
  Headers docker_only = {{"Accept", "application/vnd.docker.distribution.manifest.v2+json"}};
  EXPECT_API_ERROR(api_.get("/v2/team/app/manifests/v1", docker_only), 404u, "MANIFEST_UNKNOWN");
  EXPECT_EQ(api_.get("/v2/team/app/manifests/" + d.str(), docker_only).status, 200u);
  Headers lines = {{"Accept", "application/vnd.docker.distribution.manifest.v2+json"},
                   {"Accept", "text/html, application/*;q=0.5"}};
  EXPECT_EQ(api_.get("/v2/team/app/manifests/v1", lines).status, 200u)
      << "every Accept line counts, wildcards too";
}

TEST_F(ApiManifests, UnknownRepositoryIsNameUnknown) {
  EXPECT_API_ERROR(api_.get("/v2/team/none/manifests/v1"), 404u, "NAME_UNKNOWN");
}

TEST_F(ApiManifests, BadRepositoryNameIsNameInvalid) {
  Reply r = api_.put("/v2/Team/manifests/v1", manifest_, {{"Content-Type", kOciManifest}});
  EXPECT_API_ERROR(r, 400u, "NAME_INVALID");
}

TEST_F(ApiManifests, NotJsonIsManifestInvalid) {
  EXPECT_API_ERROR(put("v1", "not json"), 400u, "MANIFEST_INVALID");
}

TEST_F(ApiManifests, SchemaOneIsManifestInvalid) {
  EXPECT_API_ERROR(put("v1", R"({"schemaVersion":1,"name":"team/app","tag":"v1"})",
                       "application/vnd.docker.distribution.manifest.v1+json"),
                   400u, "MANIFEST_INVALID");
}

TEST_F(ApiManifests, ContentTypeNotMatchingMediaTypeIsManifestInvalid) {
  EXPECT_API_ERROR(put("v1", manifest_, kOciIndex), 400u, "MANIFEST_INVALID");
}

TEST_F(ApiManifests, BadDescriptorIsManifestInvalid) {
  std::string body =
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
      R"("config":{"mediaType":"x","digest":"sha256:nothex","size":2},"layers":[]})";
  EXPECT_API_ERROR(put("v1", body), 400u, "MANIFEST_INVALID");
}

TEST_F(ApiManifests, BadTagIsManifestInvalid) {
  EXPECT_API_ERROR(put("-v1", manifest_), 400u, "MANIFEST_INVALID");
}

TEST_F(ApiManifests, BlobSizeMismatchIsManifestInvalid) {
  EXPECT_API_ERROR(put("v1", oci_image_manifest(config_, 2, layer_, 6)), 400u, "MANIFEST_INVALID");
}

TEST_F(ApiManifests, MissingBlobIsManifestBlobUnknown) {
  Digest missing = digest_of("missing");
  EXPECT_API_ERROR(put("v1", oci_image_manifest(config_, 2, missing, 7)), 400u,
                   "MANIFEST_BLOB_UNKNOWN");
  EXPECT_API_ERROR(api_.get("/v2/team/app/manifests/v1"), 404u, "MANIFEST_UNKNOWN");
}

TEST_F(ApiManifests, MissingChildOfAnIndexIsManifestBlobUnknown) {
  std::string index = oci_index({{digest_of(manifest_), manifest_.size()}});
  EXPECT_API_ERROR(put("v1", index, kOciIndex), 400u, "MANIFEST_BLOB_UNKNOWN");
}

TEST_F(ApiManifests, ChildSizeMismatchInAnIndexIsManifestInvalid) {
  Digest child = api_.push_manifest("team/app", "v1", manifest_);
  std::string index = oci_index({{child, manifest_.size() + 1}});
  EXPECT_API_ERROR(put("multi", index, kOciIndex), 400u, "MANIFEST_INVALID");
}

TEST_F(ApiManifests, BodyNotMatchingTheDigestInTheUrlIsDigestInvalid) {
  EXPECT_API_ERROR(put(digest_of("other").str(), manifest_), 400u, "DIGEST_INVALID");
}

TEST_F(ApiManifests, MalformedDigestReferenceIsDigestInvalid) {
  EXPECT_API_ERROR(api_.get("/v2/team/app/manifests/sha256:nothex"), 400u, "DIGEST_INVALID");
}

TEST(ApiManifestsLimit, AnnouncedManifestOverTheLimitIs413BeforeTheBody) {
  RegistryOptions options;
  options.max_manifest_bytes = 100;
  InProcess api(options);
  Reply r = api.send(make_request("PUT", "/v2/team/app/manifests/v1",
                                  {{"Content-Length", "101"}, {"Content-Type", kOciManifest}}),
                     std::string(101, ' '));
  EXPECT_API_ERROR(r, 413u, "SIZE_INVALID");
}

TEST(ApiManifestsLimit, StreamedManifestOverTheLimitIs413) {
  RegistryOptions options;
  options.max_manifest_bytes = 100;
  InProcess api(options);
  Reply r =
      api.send(make_request("PUT", "/v2/team/app/manifests/v1",
                            {{"Transfer-Encoding", "chunked"}, {"Content-Type", kOciManifest}}),
               std::string(300, ' '));
  EXPECT_API_ERROR(r, 413u, "SIZE_INVALID");
  EXPECT_FALSE(r.closed);
}

TEST(ApiManifestsLowSpace, PutIs507WhileUnderTheFreeSpaceFloor) {
  RegistryOptions options;
  options.min_free = std::numeric_limits<uint64_t>::max() / 2;
  InProcess api(options);
  Reply r = api.put("/v2/team/app/manifests/v1", "{}", {{"Content-Type", kOciManifest}});
  EXPECT_API_ERROR(r, 507u, "DENIED");
}

TEST_F(ApiManifests, DeletingAManifestAnIndexListsIs405Unsupported) {
  Digest child = api_.push_manifest("team/app", digest_of(manifest_).str(), manifest_);
  api_.push_manifest("team/app", "multi", oci_index({{child, manifest_.size()}}), {}, kOciIndex);
  EXPECT_API_ERROR(api_.del("/v2/team/app/manifests/" + child.str()), 405u, "UNSUPPORTED");
}

TEST_F(ApiManifests, OtherMethodsAre405Unsupported) {
  EXPECT_API_ERROR(api_.post("/v2/team/app/manifests/v1", "x"), 405u, "UNSUPPORTED");
  EXPECT_API_ERROR(api_.patch("/v2/team/app/manifests/v1", "x"), 405u, "UNSUPPORTED");
}

TEST_F(ApiManifests, NulInTheTagIsNameInvalidNotTheShorterTag) {
  api_.push_manifest("team/app", "v1", manifest_);
  EXPECT_API_ERROR(api_.get("/v2/team/app/manifests/v1%00"), 400u, "NAME_INVALID");
}

TEST_F(ApiManifests, MirroredPutAnswersTheFullNameInLocation) {
  Digest c = api_.push_blob("docker.io/library/nginx", "{}");
  Digest l = api_.push_blob("docker.io/library/nginx", "layer");
  std::string body = oci_image_manifest(c, 2, l, 5);
  Reply r = api_.put("/v2/library/nginx/manifests/1.25?ns=docker.io", body,
                     {{"Content-Type", kOciManifest}});
  EXPECT_EQ(r.status, 201u) << r.body;
  EXPECT_EQ(r.header("Location"), "/v2/docker.io/library/nginx/manifests/" + digest_of(body).str());
  EXPECT_EQ(api_.get("/v2/docker.io/library/nginx/manifests/1.25").body, body);
}

}  // namespace
}  // namespace ferry::testing

namespace ferry::testing {
namespace {

// Issue 13 item 4: what is stored is exactly what was checked.
TEST_F(ApiManifests, ANulByteAndMoreAfterTheJsonIsRefusedAndNothingStored) {
  std::string body = manifest_ + std::string("\0{\"x\":1}", 8);
  Reply r = put("v1", body);
  EXPECT_API_ERROR(r, 400u, "MANIFEST_INVALID");
  EXPECT_NE(r.body.find("NUL byte"), std::string::npos) << r.body;
  EXPECT_API_ERROR(api_.get("/v2/team/app/manifests/v1"), 404u, "MANIFEST_UNKNOWN");
  EXPECT_API_ERROR(api_.get("/v2/team/app/manifests/" + digest_of(body).str()), 404u,
                   "MANIFEST_UNKNOWN");
}

TEST_F(ApiManifests, TrailingGarbageIsRefused) {
  EXPECT_API_ERROR(put("v1", manifest_ + " x"), 400u, "MANIFEST_INVALID");
  EXPECT_API_ERROR(put("v1", manifest_ + manifest_), 400u, "MANIFEST_INVALID");
  EXPECT_EQ(put("v1", manifest_ + "\n").status, 201u) << "whitespace after it is fine";
}

TEST_F(ApiManifests, LayersTwiceIsRefusedEvenWhenTheLastIsComplete) {
  Digest absent = digest_of("never pushed");
  std::string body =
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
      R"("config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" +
      config_.str() +
      R"(","size":2},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":")" +
      absent.str() +
      R"(","size":5}],"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":")" +
      layer_.str() + R"(","size":5}]})";
  Reply r = put("v1", body);
  EXPECT_API_ERROR(r, 400u, "MANIFEST_INVALID");
  EXPECT_NE(r.body.find("the key \\\"layers\\\" twice"), std::string::npos) << r.body;
}

TEST_F(ApiManifests, InvalidUtf8IsRefusedWithOurWords) {
  std::string body =
      oci_image_manifest(config_, 2, layer_, 5, ",\"annotations\":{\"a\":\"\xC0\xAF\"}");
  Reply r = put("v1", body);
  EXPECT_API_ERROR(r, 400u, "MANIFEST_INVALID");
  EXPECT_NE(r.body.find("not valid UTF-8"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("json.exception"), std::string::npos) << r.body;
}

// Issue 13 item 9: the index `docker buildx build --cache-to type=registry` writes.
std::string index_of_blobs(const Digest& layer, size_t layer_size, const Digest& cache,
                           size_t cache_size) {
  return R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[)"
         R"({"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":")" +
         layer.str() + R"(","size":)" + std::to_string(layer_size) +
         R"(},{"mediaType":"application/vnd.buildkit.cacheconfig.v0","digest":")" + cache.str() +
         R"(","size":)" + std::to_string(cache_size) + "}]}";
}

TEST_F(ApiManifests, AnIndexMayListBlobs) {
  Digest layer = api_.push_blob("ci/cache", "cached layer");
  Digest config = api_.push_blob("ci/cache", R"({"layers":[]})");
  std::string body = index_of_blobs(layer, 12, config, 13);
  Reply r = api_.put("/v2/ci/cache/manifests/buildcache", body, {{"Content-Type", kOciIndex}});
  EXPECT_EQ(r.status, 201u) << r.body;
  EXPECT_EQ(api_.get("/v2/ci/cache/manifests/buildcache").body, body);
  EXPECT_EQ(api_.get("/v2/ci/cache/blobs/" + config.str()).body, R"({"layers":[]})");
}

TEST_F(ApiManifests, AnIndexEntryThatIsNeitherManifestNorBlobIsStillRefused) {
  Digest layer = api_.push_blob("ci/cache", "cached layer");
  Reply r =
      api_.put("/v2/ci/cache/manifests/buildcache",
               index_of_blobs(layer, 12, digest_of("nowhere"), 7), {{"Content-Type", kOciIndex}});
  EXPECT_API_ERROR(r, 400u, "MANIFEST_BLOB_UNKNOWN");
  // A blob of another repository is not this one's.
  Digest other = api_.push_blob("team/app", "elsewhere");
  r = api_.put("/v2/ci/cache/manifests/buildcache", index_of_blobs(layer, 12, other, 9),
               {{"Content-Type", kOciIndex}});
  EXPECT_API_ERROR(r, 400u, "MANIFEST_BLOB_UNKNOWN");
}

TEST_F(ApiManifests, AnIndexEntryBlobWithTheWrongSizeIsRefused) {
  Digest layer = api_.push_blob("ci/cache", "cached layer");
  Digest config = api_.push_blob("ci/cache", R"({"layers":[]})");
  Reply r = api_.put("/v2/ci/cache/manifests/buildcache", index_of_blobs(layer, 1, config, 13),
                     {{"Content-Type", kOciIndex}});
  EXPECT_API_ERROR(r, 400u, "MANIFEST_INVALID");
  EXPECT_NE(r.body.find("is 12 bytes but the index says 1"), std::string::npos) << r.body;
}

}  // namespace
}  // namespace ferry::testing

// Blob GET/HEAD/DELETE through api::make_router, in process.
#include <gtest/gtest.h>

#include "core/digest.h"
#include "tests/support/in_process.h"
#include "tests/support/manifests.h"

namespace ferry::testing {
namespace {

class ApiBlobs : public ::testing::Test {
 protected:
  InProcess api_;
  const std::string data_ = "0123456789";
  Digest digest_ = api_.push_blob("team/app", data_);
  std::string url_ = "/v2/team/app/blobs/" + digest_.str();
};

TEST_F(ApiBlobs, GetServesTheBytesWithDigestETagAndLength) {
  Reply r = api_.get(url_);
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, data_);
  EXPECT_EQ(r.header("Docker-Content-Digest"), digest_.str());
  EXPECT_EQ(r.header("ETag"), "\"" + digest_.str() + "\"");
  EXPECT_EQ(r.header("Content-Length"), "10");
  EXPECT_EQ(r.header("Accept-Ranges"), "bytes");
  EXPECT_EQ(r.header("Docker-Distribution-API-Version"), "registry/2.0");
}

TEST_F(ApiBlobs, HeadGivesTheLengthAndNoBody) {
  Reply r = api_.head(url_);
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.header("Content-Length"), "10");
  EXPECT_EQ(r.header("Docker-Content-Digest"), digest_.str());
}

TEST_F(ApiBlobs, RangeAnswers206WithContentRange) {
  Reply r = api_.get(url_, {{"Range", "bytes=2-5"}});
  EXPECT_EQ(r.status, 206u);
  EXPECT_EQ(r.body, "2345");
  EXPECT_EQ(r.header("Content-Range"), "bytes 2-5/10");
}

TEST_F(ApiBlobs, RangeOutsideTheBlobIs416WithItsSize) {
  Reply r = api_.get(url_, {{"Range", "bytes=20-30"}});
  EXPECT_API_ERROR(r, 416u, "RANGE_INVALID");
  EXPECT_EQ(r.header("Content-Range"), "bytes */10");
}

TEST_F(ApiBlobs, IfNoneMatchTheETagIs304) {
  Reply r = api_.get(url_, {{"If-None-Match", "W/\"" + digest_.str() + "\""}});
  EXPECT_EQ(r.status, 304u);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(api_.head(url_, {{"If-None-Match", "*"}}).status, 304u);
}

TEST_F(ApiBlobs, IfRangeThatDoesNotMatchServesTheWholeBlob) {
  Reply r = api_.get(url_, {{"Range", "bytes=2-5"}, {"If-Range", "\"sha256:other\""}});
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, data_);
}

TEST_F(ApiBlobs, UnknownBlobIsBlobUnknownForGetHeadAndDelete) {
  std::string other = "/v2/team/app/blobs/" + digest_of("nothing").str();
  EXPECT_API_ERROR(api_.get(other), 404u, "BLOB_UNKNOWN");
  EXPECT_EQ(api_.head(other).status, 404u);
  EXPECT_API_ERROR(api_.del(other), 404u, "BLOB_UNKNOWN");
}

TEST_F(ApiBlobs, BlobOfAnotherRepositoryIsBlobUnknown) {
  api_.push_blob("team/other", "x");
  EXPECT_API_ERROR(api_.get("/v2/team/other/blobs/" + digest_.str()), 404u, "BLOB_UNKNOWN");
}

TEST_F(ApiBlobs, MalformedDigestIsDigestInvalid) {
  EXPECT_API_ERROR(api_.get("/v2/team/app/blobs/sha256:xyz"), 400u, "DIGEST_INVALID");
  EXPECT_API_ERROR(api_.get("/v2/team/app/blobs/md5:abc"), 400u, "DIGEST_INVALID");
}

TEST_F(ApiBlobs, BadRepositoryNameIsNameInvalid) {
  EXPECT_API_ERROR(api_.get("/v2/Team/App/blobs/" + digest_.str()), 400u, "NAME_INVALID");
}

TEST_F(ApiBlobs, NulInThePathIsNameInvalid) {
  EXPECT_API_ERROR(api_.get("/v2/team/app/blobs/" + digest_.str() + "%00x"), 400u, "NAME_INVALID");
}

TEST_F(ApiBlobs, DeleteAnswers202AndTheBlobIsGone) {
  EXPECT_EQ(api_.del(url_).status, 202u);
  EXPECT_API_ERROR(api_.get(url_), 404u, "BLOB_UNKNOWN");
}

TEST_F(ApiBlobs, DeletingABlobAManifestNeedsIs405Unsupported) {
  Digest layer = api_.push_blob("team/app", "layer");
  api_.push_manifest("team/app", "v1", oci_image_manifest(digest_, data_.size(), layer, 5));
  Reply r = api_.del("/v2/team/app/blobs/" + layer.str());
  EXPECT_API_ERROR(r, 405u, "UNSUPPORTED");
  EXPECT_EQ(api_.get("/v2/team/app/blobs/" + layer.str()).status, 200u);
}

TEST_F(ApiBlobs, OtherMethodsAre405Unsupported) {
  EXPECT_API_ERROR(api_.put(url_, "x"), 405u, "UNSUPPORTED");
  EXPECT_API_ERROR(api_.patch(url_, "x"), 405u, "UNSUPPORTED");
}

TEST_F(ApiBlobs, MirroredNameIsReadFromNs) {
  Digest d = api_.push_blob("docker.io/library/nginx", "layer");
  Reply r = api_.get("/v2/library/nginx/blobs/" + d.str() + "?ns=docker.io");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, "layer");
}

TEST_F(ApiBlobs, NsThatIsNoRegistryHostIsNameInvalid) {
  EXPECT_API_ERROR(api_.get(url_ + "?ns="), 400u, "NAME_INVALID");
  EXPECT_API_ERROR(api_.get(url_ + "?ns=a/b"), 400u, "NAME_INVALID");
}

TEST_F(ApiBlobs, RefusalOfAChunkedBodyIsAnsweredBeforeTheBody) {
  Reply r = api_.send(make_request("PUT", url_, {{"Transfer-Encoding", "chunked"}}), "xyz");
  EXPECT_API_ERROR(r, 405u, "UNSUPPORTED");
  EXPECT_TRUE(r.closed) << "the connection closes instead of reading the body";
  Reply small = api_.put(url_, "xyz");
  EXPECT_FALSE(small.closed) << "a small body is read, keeping the connection";
}

}  // namespace
}  // namespace ferry::testing

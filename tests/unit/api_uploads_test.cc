// Blob uploads (monolithic, chunked, streamed), mounts and their refusals,
// through api::make_router in process.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>

#include "daemon/api/api.h"
#include "daemon/api/errors.h"
#include "daemon/http/dispatch.h"
#include "tests/support/in_process.h"

namespace ferry::testing {
namespace {

class ApiUploads : public ::testing::Test {
 protected:
  InProcess api_;

  // Starts a session; returns its Location.
  std::string start(const std::string& repo = "team/app") {
    Reply r = api_.post("/v2/" + repo + "/blobs/uploads/");
    EXPECT_EQ(r.status, 202u) << r.body;
    return r.header("Location").value_or("");
  }
};

TEST_F(ApiUploads, MonolithicPostStoresTheBlob) {
  Digest d = digest_of("hello");
  Reply r = api_.post("/v2/team/app/blobs/uploads/?digest=" + d.str(), "hello");
  EXPECT_EQ(r.status, 201u);
  EXPECT_EQ(r.header("Location"), "/v2/team/app/blobs/" + d.str());
  EXPECT_EQ(r.header("Docker-Content-Digest"), d.str());
  EXPECT_EQ(api_.get("/v2/team/app/blobs/" + d.str()).body, "hello");
}

TEST_F(ApiUploads, MonolithicContentNotMatchingItsDigestIsDigestInvalidAndStoresNothing) {
  Digest claimed = digest_of("other");
  Reply r = api_.post("/v2/team/app/blobs/uploads/?digest=" + claimed.str(), "hello");
  EXPECT_API_ERROR(r, 400u, "DIGEST_INVALID");
  EXPECT_EQ(api_.head("/v2/team/app/blobs/" + claimed.str()).status, 404u);
  EXPECT_EQ(api_.head("/v2/team/app/blobs/" + digest_of("hello").str()).status, 404u);
}

TEST_F(ApiUploads, MalformedDigestParameterIsDigestInvalid) {
  EXPECT_API_ERROR(api_.post("/v2/team/app/blobs/uploads/?digest=sha256:12", "x"), 400u,
                   "DIGEST_INVALID");
  EXPECT_API_ERROR(api_.post("/v2/team/app/blobs/uploads/?mount=nope&from=a"), 400u,
                   "DIGEST_INVALID");
}

TEST_F(ApiUploads, SessionStartsAt0WithLocationAndUuid) {
  Reply r = api_.post("/v2/team/app/blobs/uploads/");
  EXPECT_EQ(r.status, 202u);
  auto id = r.header("Docker-Upload-UUID");
  ASSERT_TRUE(id);
  EXPECT_EQ(r.header("Location"), "/v2/team/app/blobs/uploads/" + *id);
  EXPECT_EQ(r.header("Range"), "0-0");
}

TEST_F(ApiUploads, ChunkedUploadThenCloseWithDigest) {
  std::string at = start();
  Reply first = api_.patch(at, "hello ", {{"Content-Range", "0-5"}});
  EXPECT_EQ(first.status, 202u) << first.body;
  EXPECT_EQ(first.header("Range"), "0-5");
  EXPECT_EQ(first.header("Location"), at);
  Reply second = api_.patch(at, "world", {{"Content-Range", "6-10"}});
  EXPECT_EQ(second.header("Range"), "0-10");
  Reply status = api_.get(at);
  EXPECT_EQ(status.status, 204u);
  EXPECT_EQ(status.header("Range"), "0-10");
  Digest d = digest_of("hello world");
  Reply done = api_.put(at + "?digest=" + d.str(), "");
  EXPECT_EQ(done.status, 201u) << done.body;
  EXPECT_EQ(done.header("Location"), "/v2/team/app/blobs/" + d.str());
  EXPECT_EQ(done.header("Docker-Content-Digest"), d.str());
  EXPECT_EQ(api_.get("/v2/team/app/blobs/" + d.str()).body, "hello world");
}

TEST_F(ApiUploads, StreamedPatchAndFinalChunkOnThePut) {
  std::string at = start();
  Reply streamed = api_.send(make_request("PATCH", at, {{"Transfer-Encoding", "chunked"}}), "abc");
  EXPECT_EQ(streamed.status, 202u) << streamed.body;
  EXPECT_EQ(streamed.header("Range"), "0-2");
  Digest d = digest_of("abcdef");
  Reply done = api_.put(at + "?digest=" + d.str(), "def");
  EXPECT_EQ(done.status, 201u) << done.body;
  EXPECT_EQ(api_.get("/v2/team/app/blobs/" + d.str()).body, "abcdef");
}

TEST_F(ApiUploads, ChunkOutOfOrderIs416BeforeAByteIsWritten) {
  std::string at = start();
  api_.patch(at, "abc", {{"Content-Range", "0-2"}});
  EXPECT_API_ERROR(api_.patch(at, "xyz", {{"Content-Range", "5-7"}}), 416u, "RANGE_INVALID");
  EXPECT_EQ(api_.get(at).header("Range"), "0-2");
}

TEST_F(ApiUploads, MalformedContentRangeIs416) {
  EXPECT_API_ERROR(api_.patch(start(), "abc", {{"Content-Range", "bytes=a-b"}}), 416u,
                   "RANGE_INVALID");
}

TEST_F(ApiUploads, ContentLengthNotMatchingContentRangeIs416) {
  Reply r = api_.patch(start(), "abc", {{"Content-Range", "0-9"}, {"Content-Length", "3"}});
  EXPECT_API_ERROR(r, 416u, "RANGE_INVALID");
}

TEST_F(ApiUploads, ChunkLongerThanItsContentRangeIs416) {
  Reply r = api_.send(
      make_request("PATCH", start(), {{"Content-Range", "0-1"}, {"Transfer-Encoding", "chunked"}}),
      "abcdef");
  EXPECT_API_ERROR(r, 416u, "RANGE_INVALID");
}

TEST_F(ApiUploads, ChunkShorterThanItsContentRangeIsBlobUploadInvalid) {
  std::string at = start();
  Reply r = api_.send(
      make_request("PATCH", at, {{"Content-Range", "0-9"}, {"Transfer-Encoding", "chunked"}}),
      "abc");
  EXPECT_API_ERROR(r, 400u, "BLOB_UPLOAD_INVALID");
}

TEST_F(ApiUploads, SessionBusyWithAnotherRequestIsBlobUploadInvalid) {
  std::string at = start();
  http::Router router = api::make_router(api_.store());
  http::Request first = make_request("PATCH", at, {{"Content-Length", "6"}});
  http::Dispatch in_flight(router, api::render_error, first);
  ASSERT_TRUE(in_flight.on_body("abc", 3));
  EXPECT_API_ERROR(api_.patch(at, "x"), 400u, "BLOB_UPLOAD_INVALID");
  ASSERT_TRUE(in_flight.on_body("def", 3));
  EXPECT_EQ(in_flight.finish().status, 202u);
  EXPECT_EQ(api_.patch(at, "g").header("Range"), "0-6") << "free again once answered";
}

TEST_F(ApiUploads, UnknownSessionIsBlobUploadUnknown) {
  std::string at = "/v2/team/app/blobs/uploads/no-such-id";
  EXPECT_API_ERROR(api_.get(at), 404u, "BLOB_UPLOAD_UNKNOWN");
  EXPECT_API_ERROR(api_.patch(at, "x"), 404u, "BLOB_UPLOAD_UNKNOWN");
  EXPECT_API_ERROR(api_.put(at + "?digest=" + digest_of("x").str(), "x"), 404u,
                   "BLOB_UPLOAD_UNKNOWN");
  EXPECT_API_ERROR(api_.del(at), 404u, "BLOB_UPLOAD_UNKNOWN");
}

TEST_F(ApiUploads, FinishedSessionIsBlobUploadUnknown) {
  std::string at = start();
  ASSERT_EQ(api_.put(at + "?digest=" + digest_of("x").str(), "x").status, 201u);
  EXPECT_API_ERROR(api_.get(at), 404u, "BLOB_UPLOAD_UNKNOWN");
}

TEST_F(ApiUploads, CancelledSessionIsBlobUploadUnknown) {
  std::string at = start();
  EXPECT_EQ(api_.del(at).status, 204u);
  EXPECT_API_ERROR(api_.patch(at, "x"), 404u, "BLOB_UPLOAD_UNKNOWN");
}

TEST_F(ApiUploads, ExpiredSessionIsBlobUploadUnknown) {
  std::string at = start();
  api_.store().expire_uploads(std::chrono::seconds(-1));
  EXPECT_API_ERROR(api_.get(at), 404u, "BLOB_UPLOAD_UNKNOWN");
}

TEST_F(ApiUploads, SessionOfAnotherRepositoryIsBlobUploadUnknown) {
  std::string at = start("team/app");
  std::string id = at.substr(at.rfind('/') + 1);
  start("team/other");
  EXPECT_API_ERROR(api_.get("/v2/team/other/blobs/uploads/" + id), 404u, "BLOB_UPLOAD_UNKNOWN");
}

TEST_F(ApiUploads, CloseWithoutDigestIsDigestInvalid) {
  EXPECT_API_ERROR(api_.put(start(), ""), 400u, "DIGEST_INVALID");
}

TEST_F(ApiUploads, CloseWithTheWrongDigestIsDigestInvalid) {
  std::string at = start();
  api_.patch(at, "abc");
  EXPECT_API_ERROR(api_.put(at + "?digest=" + digest_of("xyz").str(), ""), 400u, "DIGEST_INVALID");
}

TEST_F(ApiUploads, OtherMethodsAre405Unsupported) {
  EXPECT_API_ERROR(api_.get("/v2/team/app/blobs/uploads/"), 405u, "UNSUPPORTED");
  EXPECT_API_ERROR(api_.post(start(), "x"), 405u, "UNSUPPORTED");
}

TEST_F(ApiUploads, BadRepositoryNameIsNameInvalid) {
  EXPECT_API_ERROR(api_.post("/v2/Bad_/blobs/uploads/"), 400u, "NAME_INVALID");
}

TEST_F(ApiUploads, MountFromARepositoryLinksTheBlob) {
  Digest d = api_.push_blob("team/base", "shared");
  Reply r = api_.post("/v2/team/app/blobs/uploads/?mount=" + d.str() + "&from=team/base");
  EXPECT_EQ(r.status, 201u);
  EXPECT_EQ(r.header("Location"), "/v2/team/app/blobs/" + d.str());
  EXPECT_EQ(r.header("Docker-Content-Digest"), d.str());
  EXPECT_EQ(api_.get("/v2/team/app/blobs/" + d.str()).body, "shared");
}

TEST_F(ApiUploads, MountWithoutFromTakesAnyCopy) {
  Digest d = api_.push_blob("team/base", "shared");
  EXPECT_EQ(api_.post("/v2/team/app/blobs/uploads/?mount=" + d.str()).status, 201u);
}

TEST_F(ApiUploads, MountOfMissingBlobStartsASession) {
  Reply r =
      api_.post("/v2/team/app/blobs/uploads/?mount=" + digest_of("none").str() + "&from=team/base");
  EXPECT_EQ(r.status, 202u);
  EXPECT_TRUE(r.header("Docker-Upload-UUID"));
}

TEST_F(ApiUploads, MirroredLocationsUseTheFullName) {
  Reply r = api_.post("/v2/library/nginx/blobs/uploads/?ns=docker.io");
  EXPECT_EQ(r.status, 202u);
  EXPECT_EQ(r.header("Location")->rfind("/v2/docker.io/library/nginx/blobs/uploads/", 0), 0u);
}

TEST(ApiUploadsLowSpace, PushesAre507WhileUnderTheFreeSpaceFloor) {
  RegistryOptions options;
  options.min_free = std::numeric_limits<uint64_t>::max() / 2;
  InProcess api(options);
  EXPECT_API_ERROR(api.post("/v2/team/app/blobs/uploads/"), 507u, "DENIED");
  EXPECT_API_ERROR(api.post("/v2/team/app/blobs/uploads/?digest=" + digest_of("x").str(), "x"),
                   507u, "DENIED");
  std::string id = api.store().start_upload("team/app");
  EXPECT_API_ERROR(api.patch("/v2/team/app/blobs/uploads/" + id, "x"), 507u, "DENIED");
  EXPECT_EQ(api.get("/v2/").status, 200u) << "pulls go on";
}

TEST_F(ApiUploads, StorageFailureIs500Unknown) {
  // uploads/ turned into a file: creating the session's file fails.
  std::filesystem::remove_all(api_.data_dir() + "/uploads");
  std::ofstream(api_.data_dir() + "/uploads") << "not a directory";
  EXPECT_API_ERROR(api_.post("/v2/team/app/blobs/uploads/"), 500u, "UNKNOWN");
}

TEST(ApiErrors, AnyOtherExceptionIs500UnknownAndSaysToReadTheLog) {
  http::Router throws = [](const http::Request&,
                           http::RouteInfo&) -> std::unique_ptr<http::Exchange> {
    throw std::runtime_error("secret detail");
  };
  Reply r = drive(throws, api::render_error, make_request("GET", "/v2/"));
  EXPECT_API_ERROR(r, 500u, "UNKNOWN");
  EXPECT_EQ(r.body.find("secret detail"), std::string::npos);
  EXPECT_EQ(r.header("Docker-Distribution-API-Version"), "registry/2.0");
}

TEST_F(ApiUploads, RefusedBodyIsDrainedUpToALimitThenTheConnectionIsCut) {
  http::Router router = api::make_router(api_.store());
  // POST is no method of a blob: refused from the headers, answered at the end.
  http::Request req = make_request("POST", "/v2/team/app/blobs/" + digest_of("").str(),
                                   {{"Content-Length", "1000"}});
  http::Dispatch dispatch(router, api::render_error, req);
  EXPECT_FALSE(dispatch.answer_now());
  std::string piece(1 << 20, 'x');
  bool alive = true;
  for (uint64_t sent = 0; alive && sent <= http::kMaxDrainBytes; sent += piece.size()) {
    alive = dispatch.on_body(piece.data(), piece.size());
  }
  EXPECT_FALSE(alive);
}

TEST_F(ApiUploads, LargeAnnouncedBodyOfARefusedRequestIsAnsweredAtOnce) {
  Reply r = api_.send(make_request("POST", "/v2/team/app/blobs/" + digest_of("").str(),
                                   {{"Content-Length", std::to_string(http::kMaxDrainBytes + 1)}}));
  EXPECT_API_ERROR(r, 405u, "UNSUPPORTED");
  EXPECT_TRUE(r.closed);
}

}  // namespace
}  // namespace ferry::testing

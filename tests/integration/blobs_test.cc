// Blob pull and push over HTTP against the real ferryd.
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "tests/integration/registry_fixture.h"

namespace ferry::testing {
namespace {

TEST_F(RegistryTest, BaseAnswersWithApiVersion) {
  auto r = get("/v2/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("docker-distribution-api-version"), "registry/2.0");
}

TEST_F(RegistryTest, MonolithicPushThenHeadAndGet) {
  std::string data = random_bytes(300000);
  Digest d = push_blob("a/b", data);
  auto h = head("/v2/a/b/blobs/" + d.str());
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.header("content-length"), "300000");
  EXPECT_EQ(h.header("docker-content-digest"), d.str());
  auto g = get("/v2/a/b/blobs/" + d.str());
  EXPECT_EQ(g.status, 200);
  EXPECT_EQ(g.body, data);
}

TEST_F(RegistryTest, ChunkedUploadInOrderWithStatusAndOutOfOrderRefused) {
  std::string data = random_bytes(10);
  auto start = send("POST", "/v2/r/blobs/uploads/");
  ASSERT_EQ(start.status, 202);
  std::string loc = start.header("location");
  ASSERT_FALSE(loc.empty());
  EXPECT_FALSE(start.header("docker-upload-uuid").empty());

  auto p1 = send("PATCH", loc, data.substr(0, 5), {"Content-Range: 0-4"});
  EXPECT_EQ(p1.status, 202);
  EXPECT_EQ(p1.header("range"), "0-4");
  auto skip = send("PATCH", loc, data.substr(7), {"Content-Range: 7-9"});
  EXPECT_EQ(skip.status, 416) << "a gap must be refused";
  auto status = get(loc);
  EXPECT_EQ(status.status, 204);
  EXPECT_EQ(status.header("range"), "0-4") << "the refused chunk wrote nothing";
  auto p2 = send("PATCH", loc, data.substr(5), {"Content-Range: 5-9"});
  EXPECT_EQ(p2.status, 202);
  Digest d = digest_of(data);
  auto done = send("PUT", loc + "?digest=" + d.str());
  EXPECT_EQ(done.status, 201);
  EXPECT_EQ(done.header("location"), "/v2/r/blobs/" + d.str());
  EXPECT_EQ(get("/v2/r/blobs/" + d.str()).body, data);
  EXPECT_EQ(get(loc).status, 404) << "a finished upload is gone";
}

TEST_F(RegistryTest, StreamedChunkedPatchAsPodmanSendsIt) {
  std::string data = random_bytes(3 << 20, 7);
  auto start = send("POST", "/v2/p/blobs/uploads/");
  std::string loc = start.header("location");
  auto patch = http({"PATCH", url(loc), {}, data, /*chunked=*/true});
  EXPECT_EQ(patch.status, 202) << patch.body;
  EXPECT_EQ(patch.header("range"), "0-" + std::to_string(data.size() - 1));
  Digest d = digest_of(data);
  EXPECT_EQ(send("PUT", loc + "?digest=" + d.str()).status, 201);
  EXPECT_EQ(get("/v2/p/blobs/" + d.str()).body, data);
}

TEST_F(RegistryTest, LastChunkMayComeWithThePut) {
  auto loc = send("POST", "/v2/r/blobs/uploads/").header("location");
  send("PATCH", loc, "abc", {"Content-Range: 0-2"});
  Digest d = digest_of("abcdef");
  auto r = send("PUT", loc + "?digest=" + d.str(), "def", {"Content-Range: 3-5"});
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(get("/v2/r/blobs/" + d.str()).body, "abcdef");
}

TEST_F(RegistryTest, WrongDigestIsRefusedAndNothingIsStored) {
  Digest claimed = digest_of("something else");
  auto r = send("POST", "/v2/r/blobs/uploads/?digest=" + claimed.str(), "payload");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error_code(), "DIGEST_INVALID");
  EXPECT_EQ(head("/v2/r/blobs/" + claimed.str()).status, 404);
  EXPECT_EQ(head("/v2/r/blobs/" + digest_of("payload").str()).status, 404);

  auto loc = send("POST", "/v2/r/blobs/uploads/").header("location");
  send("PATCH", loc, "payload");
  auto close = send("PUT", loc + "?digest=" + claimed.str());
  EXPECT_EQ(close.status, 400);
  EXPECT_EQ(close.error_code(), "DIGEST_INVALID");
  EXPECT_EQ(send("PUT", loc).error_code(), "DIGEST_INVALID") << "PUT without ?digest=";
  EXPECT_TRUE(std::filesystem::is_empty(dir_ / "data/blobs/sha256"));
}

TEST_F(RegistryTest, RangeRequestsServePartsOr416) {
  std::string data = random_bytes(1000);
  Digest d = push_blob("r", data);
  auto part = get("/v2/r/blobs/" + d.str(), {"Range: bytes=100-199"});
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.body, data.substr(100, 100));
  EXPECT_EQ(part.header("content-range"), "bytes 100-199/1000");
  auto tail = get("/v2/r/blobs/" + d.str(), {"Range: bytes=-10"});
  EXPECT_EQ(tail.body, data.substr(990));
  auto beyond = get("/v2/r/blobs/" + d.str(), {"Range: bytes=1000-"});
  EXPECT_EQ(beyond.status, 416);
  EXPECT_EQ(beyond.header("content-range"), "bytes */1000");
  EXPECT_EQ(get("/v2/r/blobs/" + d.str(), {"Range: bytes=9-3"}).status, 416);
}

TEST_F(RegistryTest, MountFromAnotherRepositoryOrFallBackToUpload) {
  Digest d = push_blob("src", "shared layer");
  auto m = send("POST", "/v2/dst/blobs/uploads/?mount=" + d.str() + "&from=src");
  EXPECT_EQ(m.status, 201);
  EXPECT_EQ(m.header("location"), "/v2/dst/blobs/" + d.str());
  EXPECT_EQ(get("/v2/dst/blobs/" + d.str()).body, "shared layer");
  EXPECT_EQ(send("POST", "/v2/auto/blobs/uploads/?mount=" + d.str()).status, 201)
      << "without from, any copy in the store is mounted";
  auto missing = send("POST", "/v2/dst/blobs/uploads/?mount=" + digest_of("x").str() + "&from=src");
  EXPECT_EQ(missing.status, 202) << "not mountable: a regular upload starts";
  EXPECT_FALSE(missing.header("location").empty());
}

TEST_F(RegistryTest, ConcurrentFirstPushesIntoNewRepositoriesAllSucceed) {
  // Several clients pushing the first blobs of the same new repositories at
  // once: every push must land (creating a repository is not a race).
  std::vector<std::thread> clients;
  std::atomic<int> created{0};
  for (int t = 0; t < 8; ++t) {
    clients.emplace_back([&, t] {
      for (int repo = 0; repo < 10; ++repo) {
        std::string data = "client " + std::to_string(t) + " repo " + std::to_string(repo);
        auto r = send(
            "POST",
            "/v2/race/r" + std::to_string(repo) + "/blobs/uploads/?digest=" + digest_of(data).str(),
            data);
        if (r.status == 201) ++created;
      }
    });
  }
  for (auto& c : clients) c.join();
  EXPECT_EQ(created.load(), 80);
}

TEST_F(RegistryTest, CancelledUploadIsGone) {
  auto loc = send("POST", "/v2/r/blobs/uploads/").header("location");
  EXPECT_EQ(send("DELETE", loc).status, 204);
  auto r = send("PATCH", loc, "x");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.error_code(), "BLOB_UPLOAD_UNKNOWN");
}

TEST_F(RegistryTest, BlobDeleteRefusedWhileAManifestNeedsIt) {
  push_image("r", "v1", "layer");
  Digest layer = digest_of("layer");
  auto r = send("DELETE", "/v2/r/blobs/" + layer.str());
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.error_code(), "UNSUPPORTED");
  EXPECT_NE(r.body.find("delete that manifest first"), std::string::npos);
  EXPECT_EQ(get("/v2/r/blobs/" + layer.str()).status, 200);
  Digest lone = push_blob("r", "lonely");
  EXPECT_EQ(send("DELETE", "/v2/r/blobs/" + lone.str()).status, 202);
  EXPECT_EQ(head("/v2/r/blobs/" + lone.str()).status, 404);
  EXPECT_EQ(send("DELETE", "/v2/r/blobs/" + lone.str()).error_code(), "BLOB_UNKNOWN");
}

TEST_F(RegistryTest, ContentSurvivesARestartAndSigtermExitsZero) {
  std::string m = push_image("keep/me", "v1", random_bytes(5000));
  EXPECT_EQ(server_->stop(SIGTERM), 0);
  EXPECT_NE(server_->log().find("shutting down on SIGTERM"), std::string::npos);
  start();
  auto r = get("/v2/keep/me/manifests/v1");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, m);
}

}  // namespace
}  // namespace ferry::testing

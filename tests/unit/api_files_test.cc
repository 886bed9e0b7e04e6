// /files/: file artifacts as plain downloads, through api::make_router in
// process (docs/registry-api.md, "Files").
#include <gtest/gtest.h>

#include "tests/support/in_process.h"

namespace ferry::testing {
namespace {

class ApiFiles : public ::testing::Test {
 protected:
  InProcess api_;

  // A file artifact as `ferry pack file:PATH` makes it: one layer per file.
  Digest push_files(const std::string& repo, const std::string& tag,
                    const std::vector<std::pair<std::string, std::string>>& files) {
    Digest config = api_.push_blob(repo, "{}");
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& [title, data] : files) {
      Digest d = api_.push_blob(repo, data);
      layers.push_back({{"mediaType", "application/octet-stream"},
                        {"digest", d.str()},
                        {"size", data.size()},
                        {"annotations", {{"org.opencontainers.image.title", title}}}});
    }
    nlohmann::json manifest = {{"schemaVersion", 2},
                               {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                               {"artifactType", "application/vnd.ferry.file.v1"},
                               {"config",
                                {{"mediaType", "application/vnd.oci.empty.v1+json"},
                                 {"digest", config.str()},
                                 {"size", 2}}},
                               {"layers", layers}};
    return api_.push_manifest(repo, tag, manifest.dump());
  }

  void SetUp() override {
    push_files("tools/k3s", "v1", {{"k3s", "binary"}, {"install.sh", "#!"}});
  }
};

TEST_F(ApiFiles, ShortAndFullNamesServeTheFile) {
  Reply by_name = api_.get("/files/k3s");
  EXPECT_EQ(by_name.status, 200u);
  EXPECT_EQ(by_name.body, "binary");
  EXPECT_EQ(by_name.header("Docker-Content-Digest"), digest_of("binary").str());
  EXPECT_EQ(by_name.header("ETag"), "\"" + digest_of("binary").str() + "\"");
  EXPECT_EQ(api_.get("/files/tools/k3s/v1/install.sh").body, "#!");
  Reply head = api_.head("/files/k3s");
  EXPECT_EQ(head.status, 200u);
  EXPECT_EQ(head.header("Content-Length"), "6");
  EXPECT_EQ(head.body, "");
}

TEST_F(ApiFiles, RangeAndConditionalRequestsBehaveAsForBlobs) {
  Reply part = api_.get("/files/k3s", {{"Range", "bytes=1-2"}});
  EXPECT_EQ(part.status, 206u);
  EXPECT_EQ(part.body, "in");
  EXPECT_EQ(part.header("Content-Range"), "bytes 1-2/6");
  Reply outside = api_.get("/files/k3s", {{"Range", "bytes=9-"}});
  EXPECT_API_ERROR(outside, 416u, "RANGE_INVALID");
  EXPECT_EQ(outside.header("Content-Range"), "bytes */6");
  std::string etag = "\"" + digest_of("binary").str() + "\"";
  EXPECT_EQ(api_.get("/files/k3s", {{"If-None-Match", etag}}).status, 304u);
  EXPECT_EQ(api_.get("/files/k3s", {{"Range", "bytes=1-2"}, {"If-Range", "\"x\""}}).status, 200u);
}

TEST_F(ApiFiles, ListingAsJsonAndAsSha256sum) {
  Reply json = api_.get("/files/");
  EXPECT_EQ(json.status, 200u);
  auto files = json.json()["files"];
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0]["name"], "k3s");
  EXPECT_EQ(files[0]["path"], "/files/tools/k3s/v1/k3s");
  EXPECT_EQ(files[0]["reference"], "tools/k3s:v1");
  Reply text = api_.get("/files/?format=sha256sum");
  EXPECT_EQ(text.body,
            digest_of("binary").hex() + "  k3s\n" + digest_of("#!").hex() + "  install.sh\n");
  EXPECT_EQ(api_.get("/files/", {{"Accept", "text/plain"}}).body, text.body);
  EXPECT_EQ(api_.get("/files/?repository=none").json()["files"].size(), 0u);
}

TEST_F(ApiFiles, MissingFileIsNameUnknown) {
  EXPECT_API_ERROR(api_.get("/files/nothing"), 404u, "NAME_UNKNOWN");
  EXPECT_API_ERROR(api_.get("/files/tools/k3s/v2/k3s"), 404u, "NAME_UNKNOWN");
  EXPECT_API_ERROR(api_.get("/files/a/b"), 404u, "NAME_UNKNOWN");
}

TEST_F(ApiFiles, ShortNameHeldTwiceIsExistsNamingBoth) {
  push_files("tools/k3s", "v2", {{"k3s", "newer"}});
  Reply r = api_.get("/files/k3s");
  EXPECT_API_ERROR(r, 409u, "EXISTS");
  EXPECT_NE(r.body.find("/files/tools/k3s/v1/k3s"), std::string::npos);
  EXPECT_NE(r.body.find("/files/tools/k3s/v2/k3s"), std::string::npos);
  EXPECT_EQ(api_.get("/files/tools/k3s/v2/k3s").body, "newer");
}

TEST_F(ApiFiles, OtherMethodsAre405Unsupported) {
  EXPECT_API_ERROR(api_.del("/files/k3s"), 405u, "UNSUPPORTED");
  EXPECT_API_ERROR(api_.put("/files/k3s", "x"), 405u, "UNSUPPORTED");
}

TEST_F(ApiFiles, NulIsNameInvalid) {
  EXPECT_API_ERROR(api_.get("/files/k3s%00.txt"), 400u, "NAME_INVALID");
  EXPECT_API_ERROR(api_.get("/files/?repository=tools%00"), 400u, "NAME_INVALID");
}

}  // namespace
}  // namespace ferry::testing

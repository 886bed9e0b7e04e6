#include "daemon/api/route.h"

#include <gtest/gtest.h>

namespace ferry::api {
namespace {

TEST(Route, Endpoints) {
  EXPECT_EQ(parse_route("/v2/").endpoint, Endpoint::kBase);
  EXPECT_EQ(parse_route("/v2").endpoint, Endpoint::kBase);
  EXPECT_EQ(parse_route("/v2/_catalog").endpoint, Endpoint::kCatalog);

  auto r = parse_route("/v2/a/b/manifests/latest");
  EXPECT_EQ(r.endpoint, Endpoint::kManifest);
  EXPECT_EQ(r.name, "a/b");
  EXPECT_EQ(r.reference, "latest");

  r = parse_route("/v2/a/tags/list");
  EXPECT_EQ(r.endpoint, Endpoint::kTags);
  EXPECT_EQ(r.name, "a");

  EXPECT_EQ(parse_route("/v2/a/blobs/uploads/").endpoint, Endpoint::kUploadStart);
  EXPECT_EQ(parse_route("/v2/a/blobs/uploads").endpoint, Endpoint::kUploadStart);
  r = parse_route("/v2/a/blobs/uploads/1234");
  EXPECT_EQ(r.endpoint, Endpoint::kUpload);
  EXPECT_EQ(r.reference, "1234");
  r = parse_route("/v2/a/blobs/sha256:00");
  EXPECT_EQ(r.endpoint, Endpoint::kBlob);
  r = parse_route("/v2/x/referrers/sha256:00");
  EXPECT_EQ(r.endpoint, Endpoint::kReferrers);
  EXPECT_EQ(r.name, "x");
}

TEST(Route, NamesMayContainEndpointWords) {
  auto r = parse_route("/v2/manifests/blobs/manifests/v1");
  EXPECT_EQ(r.endpoint, Endpoint::kManifest);
  EXPECT_EQ(r.name, "manifests/blobs");
}

TEST(Route, UnknownShapesAreNotFound) {
  for (const char* p : {"/", "/v1/x", "/v2/manifests/x", "/v2/a/manifests/", "/v2/a/other/x",
                        "/v2//blobs/sha256:00"}) {
    EXPECT_EQ(parse_route(p).endpoint, Endpoint::kNotFound) << p;
  }
}

}  // namespace
}  // namespace ferry::api

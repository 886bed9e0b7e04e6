#include "daemon/api/route.h"

#include <gtest/gtest.h>

#include "base/error.h"

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

TEST(Route, MirrorNsPrefixesTheUpstreamNamespace) {
  EXPECT_EQ(mirrored_name("library/nginx", "docker.io"), "docker.io/library/nginx");
  EXPECT_EQ(mirrored_name("acme/app", "quay.io"), "quay.io/acme/app");
  EXPECT_EQ(mirrored_name("pause", "registry.k8s.io"), "registry.k8s.io/pause");
  // A port becomes "_PORT"; hosts are case-insensitive.
  EXPECT_EQ(mirrored_name("app", "Registry.local:5000"), "registry.local_5000/app");
  // No ns: the name as given, a host component included.
  EXPECT_EQ(mirrored_name("library/nginx", std::nullopt), "library/nginx");
  EXPECT_EQ(mirrored_name("docker.io/library/nginx", std::nullopt), "docker.io/library/nginx");
}

TEST(Route, BadMirrorNsIsNameInvalid) {
  for (const char* ns : {"", "docker.io/library", "[::1]:5000", "host:", "host:123456", "a..b",
                         "-x.io", "under_score.io", "../etc"}) {
    try {
      mirrored_name("library/nginx", std::string(ns));
      ADD_FAILURE() << "accepted ns '" << ns << "'";
    } catch (const Error& e) {
      EXPECT_EQ(e.code_in<ErrorCode>(), ErrorCode::kNameInvalid) << ns;
      EXPECT_NE(std::string(e.what()).find("invalid ns '" + std::string(ns) + "'"),
                std::string::npos)
          << e.what();
    }
  }
}

}  // namespace
}  // namespace ferry::api

// Tags, catalog, referrers, the base endpoint, unknown endpoints, /metrics
// and Ferry's /ferry/v1/imports, through api::make_router in process.
#include <gtest/gtest.h>

#include <set>

#include "daemon/api/api.h"
#include "tests/support/in_process.h"
#include "tests/support/manifests.h"

namespace ferry::testing {
namespace {

constexpr const char* kOciIndex = "application/vnd.oci.image.index.v1+json";

class ApiListing : public ::testing::Test {
 protected:
  InProcess api_;
};

TEST_F(ApiListing, BaseAnswersEmptyJsonWithTheApiVersion) {
  Reply r = api_.get("/v2/");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, "{}");
  EXPECT_EQ(r.header("Docker-Distribution-API-Version"), "registry/2.0");
  EXPECT_API_ERROR(api_.post("/v2/"), 405u, "UNSUPPORTED");
}

TEST_F(ApiListing, UnknownEndpointIsNameUnknown) {
  EXPECT_API_ERROR(api_.get("/v2/team/app/nothing/here"), 404u, "NAME_UNKNOWN");
  EXPECT_API_ERROR(api_.get("/nothing"), 404u, "NAME_UNKNOWN");
  EXPECT_API_ERROR(api_.get("/ferry/v1/nothing"), 404u, "NAME_UNKNOWN");
}

TEST_F(ApiListing, TagsArePagedWithALinkToTheNextPage) {
  for (const char* tag : {"a", "b", "c"}) api_.push_image("team/app", tag, "layer");
  Reply first = api_.get("/v2/team/app/tags/list?n=2");
  EXPECT_EQ(first.status, 200u);
  EXPECT_EQ(first.json(), (nlohmann::json{{"name", "team/app"}, {"tags", {"a", "b"}}}));
  EXPECT_EQ(first.header("Link"), "</v2/team/app/tags/list?n=2&last=b>; rel=\"next\"");
  Reply rest = api_.get("/v2/team/app/tags/list?n=2&last=b");
  EXPECT_EQ(rest.json()["tags"], nlohmann::json({"c"}));
  EXPECT_FALSE(rest.header("Link"));
  EXPECT_EQ(api_.get("/v2/team/app/tags/list").json()["tags"].size(), 3u);
  EXPECT_EQ(api_.get("/v2/team/app/tags/list?n=0").json()["tags"].size(), 0u);
}

TEST_F(ApiListing, BadNIsSizeInvalid) {
  api_.push_image("team/app", "a", "layer");
  EXPECT_API_ERROR(api_.get("/v2/team/app/tags/list?n=-1"), 400u, "SIZE_INVALID");
  EXPECT_API_ERROR(api_.get("/v2/team/app/tags/list?n=ten"), 400u, "SIZE_INVALID");
  EXPECT_API_ERROR(api_.get("/v2/_catalog?n=x"), 400u, "SIZE_INVALID");
}

TEST_F(ApiListing, TagsOfUnknownRepositoryIsNameUnknown) {
  EXPECT_API_ERROR(api_.get("/v2/team/none/tags/list"), 404u, "NAME_UNKNOWN");
}

TEST_F(ApiListing, CatalogListsRepositoriesWithManifestsPaged) {
  api_.push_image("a/one", "v1", "1");
  api_.push_image("b/two", "v1", "2");
  api_.push_blob("c/blob-only", "x");
  Reply all = api_.get("/v2/_catalog");
  EXPECT_EQ(all.json()["repositories"], nlohmann::json({"a/one", "b/two"}));
  Reply first = api_.get("/v2/_catalog?n=1");
  EXPECT_EQ(first.json()["repositories"], nlohmann::json({"a/one"}));
  EXPECT_EQ(first.header("Link"), "</v2/_catalog?n=1&last=a/one>; rel=\"next\"");
  EXPECT_EQ(api_.get("/v2/_catalog?n=1&last=a/one").json()["repositories"],
            nlohmann::json({"b/two"}));
}

TEST_F(ApiListing, ListingsRefuseOtherMethods) {
  api_.push_image("team/app", "a", "layer");
  EXPECT_API_ERROR(api_.post("/v2/team/app/tags/list"), 405u, "UNSUPPORTED");
  EXPECT_API_ERROR(api_.del("/v2/_catalog"), 405u, "UNSUPPORTED");
  EXPECT_API_ERROR(api_.del("/v2/team/app/referrers/" + digest_of("x").str()), 405u, "UNSUPPORTED");
}

class ApiReferrers : public ApiListing {
 protected:
  Digest config_ = api_.push_blob("team/app", "{}");
  Digest layer_ = api_.push_blob("team/app", "layer");
  Digest subject_ = api_.push_manifest("team/app", "v1", oci_image_manifest(config_, 2, layer_, 5));

  Digest push_referrer(const std::string& artifact_type, const std::string& layer) {
    Digest l = api_.push_blob("team/app", layer);
    std::string body = oci_image_manifest(
        config_, 2, l, layer.size(),
        R"(,"artifactType":")" + artifact_type +
            R"(","subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
            subject_.str() + R"(","size":1})");
    return api_.push_manifest("team/app", digest_of(body).str(), body);
  }
};

TEST_F(ApiReferrers, ListsTheManifestsNamingTheSubject) {
  Digest sig = push_referrer("application/vnd.example.sig", "sig");
  Digest sbom = push_referrer("application/vnd.example.sbom", "sbom");
  Reply r = api_.get("/v2/team/app/referrers/" + subject_.str());
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.header("Content-Type"), kOciIndex);
  EXPECT_FALSE(r.header("OCI-Filters-Applied"));
  auto doc = r.json();
  EXPECT_EQ(doc["mediaType"], kOciIndex);
  ASSERT_EQ(doc["manifests"].size(), 2u);
  std::set<std::string> digests;
  for (const auto& m : doc["manifests"]) digests.insert(m["digest"].get<std::string>());
  EXPECT_EQ(digests, (std::set<std::string>{sig.str(), sbom.str()}));
}

TEST_F(ApiReferrers, ArtifactTypeFiltersAndSaysSo) {
  Digest sig = push_referrer("application/vnd.example.sig", "sig");
  push_referrer("application/vnd.example.sbom", "sbom");
  Reply r = api_.get("/v2/team/app/referrers/" + subject_.str() +
                     "?artifactType=application/vnd.example.sig");
  EXPECT_EQ(r.header("OCI-Filters-Applied"), "artifactType");
  auto manifests = r.json()["manifests"];
  ASSERT_EQ(manifests.size(), 1u);
  EXPECT_EQ(manifests[0]["digest"], sig.str());
  EXPECT_EQ(manifests[0]["artifactType"], "application/vnd.example.sig");
}

TEST_F(ApiReferrers, UnknownSubjectHasNoReferrers) {
  Reply r = api_.get("/v2/team/app/referrers/" + digest_of("nothing").str());
  EXPECT_EQ(r.status, 200u);
  EXPECT_TRUE(r.json()["manifests"].empty());
}

TEST_F(ApiReferrers, MalformedSubjectIsDigestInvalid) {
  EXPECT_API_ERROR(api_.get("/v2/team/app/referrers/latest"), 400u, "DIGEST_INVALID");
}

TEST(ApiFerryV1, ImportsListIsEmptyJsonAndBadNIsInvalid) {
  InProcess api;
  Reply r = api.get("/ferry/v1/imports");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.json(), (nlohmann::json{{"imports", nlohmann::json::array()}}));
  EXPECT_API_ERROR(api.get("/ferry/v1/imports?n=5000"), 400u, "INVALID");
  EXPECT_API_ERROR(api.post("/ferry/v1/imports"), 405u, "UNSUPPORTED");
}

TEST(ApiMetrics, MetricsAreServedAndCountNothingByThemselves) {
  RegistryOptions options;
  options.metrics = true;
  InProcess api(options);
  Reply r = api.get("/metrics");
  EXPECT_EQ(r.status, 200u);
  EXPECT_NE(r.body.find("ferry_repositories 0"), std::string::npos) << r.body;
  EXPECT_API_ERROR(api.post("/metrics"), 405u, "UNSUPPORTED");
}

// The router names each request's part of the API for the metrics as it
// routes it, refusals included, so nothing parses the path twice.
TEST(ApiRouteLabels, TheRouterLabelsEveryRequest) {
  InProcess api;
  http::Router router = api::make_router(api.store());
  auto label_of = [&](const std::string& method, const std::string& target) {
    http::RouteInfo info;
    try {
      router(make_request(method, target), info);
    } catch (const std::exception&) {
    }
    return std::string(info.label);
  };
  EXPECT_EQ(label_of("GET", "/v2/"), "base");
  EXPECT_EQ(label_of("GET", "/v2/_catalog"), "catalog");
  EXPECT_EQ(label_of("GET", "/v2/a/tags/list"), "tags");
  EXPECT_EQ(label_of("GET", "/v2/a/manifests/v1"), "manifest");
  EXPECT_EQ(label_of("GET", "/v2/a/manifests/v1%00"), "manifest");
  EXPECT_EQ(label_of("GET", "/v2/a/blobs/sha256:x"), "blob");
  EXPECT_EQ(label_of("POST", "/v2/a/blobs/uploads/"), "upload");
  EXPECT_EQ(label_of("PATCH", "/v2/a/blobs/uploads/id"), "upload");
  EXPECT_EQ(label_of("GET", "/v2/a/referrers/sha256:x"), "referrers");
  EXPECT_EQ(label_of("GET", "/ferry/v1/imports"), "ferry");
  EXPECT_EQ(label_of("GET", "/metrics"), "metrics");
  EXPECT_EQ(label_of("GET", "/files/x"), "other");
  EXPECT_EQ(label_of("GET", "/v2/a/nothing"), "other");
}

TEST(ApiRouteLabels, MetricsCountByTheLabel) {
  Metrics metrics;
  metrics.request("GET", "manifest", 200, 0, 10, std::chrono::microseconds(5));
  metrics.request("PUT", "no such label", 201, 10, 0, std::chrono::microseconds(5));
  InProcess api;
  std::string page = metrics.render(api.store());
  EXPECT_NE(page.find(R"(ferry_http_requests_total{method="GET",route="manifest",code="200"} 1)"),
            std::string::npos)
      << page;
  EXPECT_NE(page.find(R"(ferry_http_requests_total{method="PUT",route="other",code="201"} 1)"),
            std::string::npos)
      << page;
}

}  // namespace
}  // namespace ferry::testing

// Manifests, tags, catalog and referrers over HTTP against the real ferryd.
#include <nlohmann/json.hpp>

#include "tests/integration/registry_fixture.h"

namespace ferry::testing {
namespace {

using nlohmann::json;
const std::string kOciManifest = "application/vnd.oci.image.manifest.v1+json";
const std::string kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";

TEST_F(RegistryTest, ManifestRoundTripByTagAndDigestWithExactBytes) {
  std::string m = push_image("a/b", "v1", "layer");
  Digest d = digest_of(m);
  auto by_tag = get("/v2/a/b/manifests/v1");
  EXPECT_EQ(by_tag.status, 200);
  EXPECT_EQ(by_tag.body, m);
  EXPECT_EQ(by_tag.header("content-type"), kOciManifest);
  EXPECT_EQ(by_tag.header("docker-content-digest"), d.str());
  auto h = head("/v2/a/b/manifests/" + d.str());
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.header("content-length"), std::to_string(m.size()));
}

TEST_F(RegistryTest, AcceptNegotiationMergesHeaderLines) {
  push_image("r", "v1", "layer");
  EXPECT_EQ(get("/v2/r/manifests/v1", {"Accept: " + kDockerManifest}).status, 404)
      << "an OCI manifest is not served by tag to a client that only takes Docker's";
  auto two_lines =
      get("/v2/r/manifests/v1", {"Accept: " + kDockerManifest, "Accept: " + kOciManifest});
  EXPECT_EQ(two_lines.status, 200);
  EXPECT_EQ(get("/v2/r/manifests/v1", {"Accept: text/plain, " + kOciManifest + ";q=0.5"}).status,
            200);
  EXPECT_EQ(get("/v2/r/manifests/v1", {"Accept: */*"}).status, 200);
  std::string digest = get("/v2/r/manifests/v1").header("docker-content-digest");
  EXPECT_EQ(get("/v2/r/manifests/" + digest, {"Accept: " + kDockerManifest}).status, 200)
      << "by digest the exact bytes are always served";
}

TEST_F(RegistryTest, DockerSchema2AndIndexesAreStoredAsPushed) {
  Digest c = push_blob("r", "{}");
  Digest l = push_blob("r", "layer");
  std::string docker =
      R"({"schemaVersion":2,"mediaType":")" + kDockerManifest +
      R"(","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":2,"digest":")" +
      c.str() +
      R"("},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":5,"digest":")" +
      l.str() + R"("}]})";
  ASSERT_EQ(put_manifest("r", "docker", docker, kDockerManifest).status, 201);
  std::string list =
      R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[{"mediaType":")" +
      kDockerManifest + R"(","size":)" + std::to_string(docker.size()) + R"(,"digest":")" +
      digest_of(docker).str() + R"(","platform":{"architecture":"arm64","os":"linux"}}]})";
  auto r =
      put_manifest("r", "multi", list, "application/vnd.docker.distribution.manifest.list.v2+json");
  ASSERT_EQ(r.status, 201) << r.body;
  auto g = get("/v2/r/manifests/multi");
  EXPECT_EQ(g.body, list);
  EXPECT_EQ(g.header("content-type"), "application/vnd.docker.distribution.manifest.list.v2+json");
}

TEST_F(RegistryTest, BadManifestsAreRefusedAndNothingIsStored) {
  Digest c = push_blob("r", "{}");
  Digest l = push_blob("r", "layer");
  std::string good = image_manifest(c, 2, l, 5);
  struct Case {
    std::string name, ref, body, type, code;
    long status;
  } cases[] = {
      {"not json", "t1", "{nope", kOciManifest, "MANIFEST_INVALID", 400},
      {"schema 1", "t2", R"({"schemaVersion":1})", "application/json", "MANIFEST_INVALID", 400},
      {"type mismatch", "t3", good, kDockerManifest, "MANIFEST_INVALID", 400},
      {"missing blob", "t4", image_manifest(c, 2, digest_of("absent"), 6), kOciManifest,
       "MANIFEST_BLOB_UNKNOWN", 400},
      {"wrong blob size", "t5", image_manifest(c, 2, l, 99), kOciManifest, "MANIFEST_INVALID", 400},
      {"digest mismatch", digest_of("other").str(), good, kOciManifest, "DIGEST_INVALID", 400},
      {"bad tag", "-bad", good, kOciManifest, "MANIFEST_INVALID", 400},
      {"bad digest ref", "sha256:zz", good, kOciManifest, "DIGEST_INVALID", 400},
      {"too large", "t6", std::string(5 << 20, ' '), kOciManifest, "SIZE_INVALID", 413},
  };
  for (const auto& c2 : cases) {
    auto r = put_manifest("r", c2.ref, c2.body, c2.type);
    EXPECT_EQ(r.status, c2.status) << c2.name << ": " << r.body;
    EXPECT_EQ(r.error_code(), c2.code) << c2.name;
  }
  auto tags = json::parse(get("/v2/r/tags/list").body);
  EXPECT_TRUE(tags["tags"].empty()) << tags.dump();
  EXPECT_EQ(json::parse(get("/v2/_catalog").body)["repositories"].size(), 0u);
}

TEST_F(RegistryTest, IndexNeedsItsChildren) {
  std::string child = push_image("r", "amd64", "layer");
  std::string index = oci_index({{digest_of(child), child.size()}, {digest_of("absent"), 3}});
  auto r = put_manifest("r", "multi", index, "application/vnd.oci.image.index.v1+json");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error_code(), "MANIFEST_BLOB_UNKNOWN");
}

TEST_F(RegistryTest, TagsAndCatalogPaginateWithLinkHeaders) {
  std::string m = push_image("r", "e", "layer");
  for (const char* t : {"c", "a", "d", "b"}) ASSERT_EQ(put_manifest("r", t, m).status, 201);
  push_image("other/repo", "x", "layer2");

  auto page1 = get("/v2/r/tags/list?n=2");
  EXPECT_EQ(json::parse(page1.body)["tags"], json({"a", "b"}));
  EXPECT_EQ(page1.header("link"), "</v2/r/tags/list?n=2&last=b>; rel=\"next\"");
  auto page3 = get("/v2/r/tags/list?n=2&last=d");
  EXPECT_EQ(json::parse(page3.body)["tags"], json({"e"}));
  EXPECT_EQ(page3.header("link"), "") << "no next page after the last";
  EXPECT_EQ(json::parse(get("/v2/r/tags/list?n=0").body)["tags"], json::array());
  EXPECT_EQ(get("/v2/r/tags/list?n=-1").status, 400);
  EXPECT_EQ(get("/v2/nope/tags/list").error_code(), "NAME_UNKNOWN");

  auto cat = get("/v2/_catalog?n=1");
  EXPECT_EQ(json::parse(cat.body)["repositories"], json({"other/repo"}));
  EXPECT_EQ(cat.header("link"), "</v2/_catalog?n=1&last=other/repo>; rel=\"next\"");
  EXPECT_EQ(json::parse(get("/v2/_catalog?last=other/repo").body)["repositories"], json({"r"}));
}

TEST_F(RegistryTest, ReferrersListSubjectsChildrenWithFilter) {
  std::string subject = push_image("r", "v1", "layer");
  Digest sd = digest_of(subject);
  std::string subj = R"(,"subject":{"mediaType":")" + kOciManifest + R"(","digest":")" + sd.str() +
                     R"(","size":)" + std::to_string(subject.size()) + "}";
  Digest c = digest_of("{}");
  Digest l = digest_of("layer");
  std::string sig = image_manifest(
      c, 2, l, 5, subj + R"(,"artifactType":"application/x.sig","annotations":{"k":"v"})");
  auto put = put_manifest("r", digest_of(sig).str(), sig);
  EXPECT_EQ(put.status, 201);
  EXPECT_EQ(put.header("oci-subject"), sd.str());
  std::string sbom = image_manifest(c, 2, l, 5, subj + R"(,"artifactType":"application/x.sbom")");
  put_manifest("r", digest_of(sbom).str(), sbom);

  auto all = get("/v2/r/referrers/" + sd.str());
  EXPECT_EQ(all.status, 200);
  EXPECT_EQ(all.header("content-type"), "application/vnd.oci.image.index.v1+json");
  auto idx = json::parse(all.body);
  EXPECT_EQ(idx["manifests"].size(), 2u);
  auto filtered = get("/v2/r/referrers/" + sd.str() + "?artifactType=application/x.sig");
  EXPECT_EQ(filtered.header("oci-filters-applied"), "artifactType");
  auto f = json::parse(filtered.body)["manifests"];
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]["digest"], digest_of(sig).str());
  EXPECT_EQ(f[0]["annotations"]["k"], "v");
  EXPECT_EQ(json::parse(get("/v2/r/referrers/" + digest_of("none").str()).body)["manifests"].size(),
            0u);
  EXPECT_EQ(get("/v2/r/referrers/sha256:bad").status, 400);
}

TEST_F(RegistryTest, LookupsOfTagsThatCannotExistAre404) {
  // The conformance suite asks for ".INVALID_MANIFEST_NAME" and expects 404.
  push_image("r", "v1", "layer");
  for (const char* method : {"GET", "HEAD", "DELETE"}) {
    EXPECT_EQ(send(method, "/v2/r/manifests/.INVALID_MANIFEST_NAME").status, 404) << method;
  }
  EXPECT_EQ(get("/v2/r/manifests/.INVALID_MANIFEST_NAME").error_code(), "MANIFEST_UNKNOWN");
  EXPECT_EQ(put_manifest("r", ".INVALID_MANIFEST_NAME", "{}").status, 400)
      << "but a PUT is refused";
}

TEST_F(RegistryTest, IndexChildCannotBeDeletedFromUnderIt) {
  std::string child = push_image("r", "amd64", "layer");
  std::string index = oci_index({{digest_of(child), child.size()}});
  ASSERT_EQ(put_manifest("r", "multi", index, "application/vnd.oci.image.index.v1+json").status,
            201);
  auto refused = send("DELETE", "/v2/r/manifests/" + digest_of(child).str());
  EXPECT_EQ(refused.status, 405);
  EXPECT_NE(refused.body.find("delete the index first"), std::string::npos);
  EXPECT_EQ(get("/v2/r/manifests/multi").status, 200);
  EXPECT_EQ(send("DELETE", "/v2/r/manifests/" + digest_of(index).str()).status, 202);
  EXPECT_EQ(send("DELETE", "/v2/r/manifests/" + digest_of(child).str()).status, 202);
}

TEST_F(RegistryTest, DeleteByTagAndByDigest) {
  std::string m = push_image("r", "v1", "layer");
  ASSERT_EQ(put_manifest("r", "v2", m).status, 201);
  EXPECT_EQ(send("DELETE", "/v2/r/manifests/v1").status, 202);
  EXPECT_EQ(get("/v2/r/manifests/v1").error_code(), "MANIFEST_UNKNOWN");
  EXPECT_EQ(get("/v2/r/manifests/v2").status, 200) << "other tags are untouched";
  EXPECT_EQ(send("DELETE", "/v2/r/manifests/" + digest_of(m).str()).status, 202);
  EXPECT_EQ(get("/v2/r/manifests/v2").status, 404) << "deleting by digest removes its tags";
  EXPECT_EQ(send("DELETE", "/v2/r/manifests/" + digest_of(m).str()).error_code(),
            "MANIFEST_UNKNOWN");
}

TEST_F(RegistryTest, BadNamesPathTricksAndMethodsGetSpecErrors) {
  std::string d = digest_of("x").str();
  EXPECT_EQ(get("/v2/UPPER/manifests/latest").error_code(), "NAME_INVALID");
  EXPECT_EQ(get("/v2/a/../../etc/manifests/latest").error_code(), "NAME_INVALID");
  EXPECT_EQ(get("/v2/%2e%2e/%2e%2e/blobs/" + d).error_code(), "NAME_INVALID");
  EXPECT_EQ(get("/v2/a/blobs/sha256:..").error_code(), "DIGEST_INVALID");
  EXPECT_EQ(get("/v2/a/blobs/uploads/..").error_code(), "BLOB_UPLOAD_UNKNOWN");
  // libmicrohttpd decodes %2f before routing: such paths match no endpoint.
  auto encoded = get("/v2/a/blobs/sha256:..%2f..%2fferry.db");
  EXPECT_EQ(encoded.status, 404);
  EXPECT_EQ(encoded.body.find("SQLite"), std::string::npos);
  EXPECT_EQ(get("/v2/a/blobs/uploads/..%2f..%2fferry.db").status, 404);
  EXPECT_EQ(send("POST", "/v2/a//b/blobs/uploads/").error_code(), "NAME_INVALID");
  auto bad_method = send("POST", "/v2/a/manifests/latest");
  EXPECT_EQ(bad_method.status, 405);
  EXPECT_EQ(bad_method.error_code(), "UNSUPPORTED");
  EXPECT_EQ(send("PROPFIND", "/v2/").status, 405);
  EXPECT_EQ(get("/v3/whatever").status, 404);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "etc"));
}

}  // namespace
}  // namespace ferry::testing

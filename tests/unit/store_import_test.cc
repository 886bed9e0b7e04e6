// The store's import side: unlinked content stays invisible until one
// transaction publishes it, and the import history and rollback marks.
#include <gtest/gtest.h>

#include "base/error.h"
#include "core/import_records.h"
#include "core/manifest.h"
#include "core/media_types.h"
#include "core/store.h"
#include "tests/support/manifests.h"
#include "tests/support/temp_dir.h"

namespace ferry {
namespace {

class StoreImportTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
  Store store_{StoreOptions{dir_.path(), 4096, false}};

  Digest add(const std::string& data) {
    Digest d = digest_of(data);
    BlobWriter w = store_.begin_import_blob(DigestAlgorithm::kSha256);
    w.write(data.data(), data.size());
    store_.add_unlinked_blob(w, d);
    return d;
  }

  ImageToPublish image(const std::string& repo, const std::string& tag, const std::string& layer) {
    Digest c = add("{}");
    Digest l = add(layer);
    std::string m = testing::oci_image_manifest(c, 2, l, layer.size());
    Digest md = add(m);
    return ImageToPublish{repo, tag, {{md, m.size(), parse_manifest(m, "")}}};
  }
};

TEST_F(StoreImportTest, UnlinkedContentIsStoredButNotVisible) {
  Digest d = add("layer bytes");
  EXPECT_TRUE(store_.has_content(d));
  EXPECT_FALSE(store_.blob_size("app", d)) << "no repository sees it before publish";
  EXPECT_TRUE(store_.list_repositories("", 100).empty());
}

TEST_F(StoreImportTest, PublishLinksEverythingAndMovesTagsTogether) {
  auto a = image("app", "v1", "layer a");
  auto b = image("team/tool", "v2", "layer b");
  bool also_ran = false;
  store_.publish_images({a, b}, [&](sql::Transaction&) { also_ran = true; });
  EXPECT_TRUE(also_ran);
  EXPECT_EQ(store_.resolve_manifest("app", "v1", false).digest, a.manifests[0].digest.str());
  EXPECT_EQ(store_.resolve_manifest("team/tool", "v2", false).digest, b.manifests[0].digest.str());
  EXPECT_TRUE(store_.blob_size("app", digest_of("layer a")));
  EXPECT_FALSE(store_.blob_size("app", digest_of("layer b"))) << "linked per repository";
}

TEST_F(StoreImportTest, AFailureInsideTheTransactionPublishesNothing) {
  auto a = image("app", "v1", "layer a");
  EXPECT_THROW(store_.publish_images({a}, [](sql::Transaction&) { throw std::runtime_error("x"); }),
               std::runtime_error);
  EXPECT_TRUE(store_.list_repositories("", 100).empty());
}

TEST_F(StoreImportTest, MissingContentRefusesTheWholeSet) {
  auto a = image("app", "v1", "layer a");
  std::string layer = "never stored";
  Digest c = digest_of("{}");
  std::string m = testing::oci_image_manifest(c, 2, digest_of(layer), layer.size());
  Digest md = add(m);
  ImageToPublish broken{"other", "v1", {{md, m.size(), parse_manifest(m, "")}}};
  EXPECT_THROW(store_.publish_images({a, broken}, nullptr), Error);
  EXPECT_TRUE(store_.list_repositories("", 100).empty()) << "app:v1 must not appear either";
}

// Issue 13 item 6: publishing makes the checks a push makes.
TEST_F(StoreImportTest, ABlobOfAnotherSizeThanDeclaredIsRefusedAndNothingPublished) {
  Digest c = add("{}");
  Digest l = add(std::string(1000, 'x'));
  std::string m = testing::oci_image_manifest(c, 2, l, 1);
  Digest md = add(m);
  ImageToPublish bad{"app", "v1", {{md, m.size(), parse_manifest(m, "")}}};
  try {
    store_.publish_images({bad}, {});
    FAIL() << "published";
  } catch (const Error& e) {
    EXPECT_EQ(e.code_in<ErrorCode>(), ErrorCode::kManifestInvalid);
    EXPECT_NE(std::string(e.what()).find("is 1000 bytes but the manifest says 1"),
              std::string::npos)
        << e.what();
  }
  EXPECT_TRUE(store_.list_repositories("", 100).empty());
}

TEST_F(StoreImportTest, AnIndexOfBlobsIsPublishedWithItsBlobsLinked) {
  Digest layer = add("cached layer");
  Digest cache = add("cache config");
  std::string index =
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[)"
      R"({"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":")" +
      layer.str() +
      R"(","size":12},{"mediaType":"application/vnd.buildkit.cacheconfig.v0","digest":")" +
      cache.str() + R"(","size":12}]})";
  Digest id = add(index);
  store_.publish_images(
      {{"ci/cache", "buildcache", {{id, index.size(), parse_manifest(index, "")}}}}, {});
  EXPECT_EQ(store_.resolve_manifest("ci/cache", "buildcache", false).digest, id.str());
  EXPECT_TRUE(store_.blob_size("ci/cache", layer));
  EXPECT_TRUE(store_.blob_size("ci/cache", cache));
}

TEST_F(StoreImportTest, ReferrersArePublishedUntaggedAndListedForTheirSubject) {
  auto a = image("app", "v1", "layer a");
  std::string sbom =
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
      R"("artifactType":"application/spdx+json","config":{"mediaType":)"
      R"("application/vnd.oci.empty.v1+json","digest":")" +
      digest_of("{}").str() +
      R"(","size":2},"layers":[{"mediaType":"application/spdx+json","digest":")" +
      add("sbom").str() +
      R"(","size":4}],"subject":{"mediaType":)"
      R"("application/vnd.oci.image.manifest.v1+json","digest":")" +
      a.manifests[0].digest.str() + R"(","size":)" + std::to_string(a.manifests[0].size) + "}}";
  Digest sd = add(sbom);
  ImageToPublish referrer{"app", "", {{sd, sbom.size(), parse_manifest(sbom, "")}}};
  store_.publish_images({referrer}, nullptr);  // before its subject, as a push may be
  EXPECT_TRUE(store_.list_tags("app", "", 100).empty()) << "an untagged referrer sets no tag";
  store_.publish_images({a}, nullptr);
  auto listed = store_.list_referrers("app", a.manifests[0].digest, std::nullopt);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].digest, sd.str());
  EXPECT_EQ(listed[0].artifact_type, "application/spdx+json");
  EXPECT_EQ(store_.list_tags("app", "", 100), std::vector<std::string>{"v1"});
}

TEST_F(StoreImportTest, HistoryAndRollbackMarks) {
  {
    ImportRecords records(store_.database());
    int64_t first = records.begin("a.ferry", 100);
    int64_t second = records.begin("b.ferry", 101);
    EXPECT_EQ(records.mark_interrupted(102), 2) << "rows left 'running' by a dead process";
    ImportRecord done;
    done.result = "imported";
    done.blobs_written = 3;
    records.finish(second, done, 103, 7);
    auto list = records.list(0, 10);
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0].id, second) << "newest first";
    EXPECT_EQ(list[0].result, "imported");
    EXPECT_EQ(list[0].blobs_written, 3u);
    EXPECT_EQ(list[1].id, first);
    EXPECT_EQ(list[1].result, "interrupted");
    EXPECT_EQ(records.list(second, 10).size(), 1u) << "paging by id";

    EXPECT_FALSE(records.last_sequence("KEY", "stable"));
    records.set_sequence("KEY", "stable", 5, "b1", 104);
    records.set_sequence("KEY", "stable", 7, "b2", 105);
    auto mark = records.last_sequence("KEY", "stable");
    ASSERT_TRUE(mark);
    EXPECT_EQ(mark->sequence, 7u);
    EXPECT_EQ(mark->bundle_id, "b2");
    EXPECT_FALSE(records.last_sequence("KEY", "testing")) << "channels are separate";
    EXPECT_FALSE(records.last_sequence("OTHER", "stable")) << "and so are signers";
  }
}

}  // namespace
}  // namespace ferry

#include <gtest/gtest.h>

#include <filesystem>

#include "access/accounts.h"
#include "access/rules.h"
#include "base/error.h"
#include "core/file_util.h"
#include "core/store.h"
#include "tests/support/manifests.h"
#include "tests/support/temp_dir.h"

namespace ferry {
namespace {

using testing::TempDir;
using namespace std::chrono_literals;

class StoreGcTest : public ::testing::Test {
 protected:
  TempDir dir_;
  Store store_{StoreOptions{dir_.path(), 1 << 20}};

  Digest push_blob(const std::string& repo, const std::string& data) {
    Digest d = digest_of(data);
    BlobWriter w = store_.begin_blob(DigestAlgorithm::kSha256);
    w.write(data.data(), data.size());
    store_.commit_blob(repo, w, d);
    return d;
  }
  Digest push_image(const std::string& repo, const std::string& tag, const std::string& layer,
                    const std::string& extra = "") {
    Digest c = push_blob(repo, "{}");
    Digest l = push_blob(repo, layer);
    return store_
        .put_manifest(repo, tag, "", testing::oci_image_manifest(c, 2, l, layer.size(), extra))
        .digest;
  }
  bool stored(const Digest& d) { return store_.has_content(d); }
  bool file_there(const Digest& d) {
    return std::filesystem::exists(dir_.path() + "/blobs/sha256/" + d.hex().substr(0, 2) + "/" +
                                   d.hex());
  }
  // grace 0: everything is old enough to collect.
  GcReport gc(GcOptions options = {0s, {}, false}) {
    auto report = store_.collect_garbage(options, 0ms);
    EXPECT_TRUE(report);
    return *report;
  }
  void age_tag(const std::string& repo, const std::string& tag, int64_t seconds) {
    store_.database()
        .acquire()
        ->prepare(
            "UPDATE tags SET updated_at = updated_at - ? WHERE name = ? AND repository_id = "
            "(SELECT id FROM repositories WHERE name = ?)")
        .bind(seconds, tag, repo)
        .run();
  }
};

TEST_F(StoreGcTest, UntaggedImageGoesTaggedImageAndSharedBlobsStay) {
  Digest kept = push_image("r", "v1", "shared-layer");
  Digest old = push_image("r", "v2", "only-old");
  store_.delete_manifest("r", "v2");  // untag: the manifest stays, unreached

  GcReport r = gc();
  ASSERT_EQ(r.manifests.size(), 1u);
  EXPECT_EQ(r.manifests[0].name, old.str());
  EXPECT_FALSE(stored(digest_of("only-old")));
  EXPECT_FALSE(file_there(digest_of("only-old")));
  EXPECT_FALSE(stored(old));
  EXPECT_GT(r.bytes_freed, 0u);
  // The tagged image is whole: manifest, config (shared with v2) and layer.
  EXPECT_EQ(store_.resolve_manifest("r", "v1", true).digest, kept.str());
  EXPECT_NO_THROW(store_.open_blob("r", digest_of("{}")));
  EXPECT_NO_THROW(store_.open_blob("r", digest_of("shared-layer")));
  EXPECT_TRUE(gc().blobs.empty()) << "a second run finds nothing";
}

TEST_F(StoreGcTest, GracePeriodProtectsAPushInProgress) {
  push_blob("r", "uploaded, manifest not pushed yet");
  push_image("r", "v1", "layer");
  store_.delete_manifest("r", "v1");
  GcReport r = gc({1h, {}, false});
  EXPECT_TRUE(r.manifests.empty());
  EXPECT_TRUE(r.blobs.empty());
  EXPECT_TRUE(stored(digest_of("uploaded, manifest not pushed yet")));
}

TEST_F(StoreGcTest, DryRunReportsTheSameAndChangesNothing) {
  push_image("r", "v1", "a");
  Digest m = push_image("r", "v2", "b");
  store_.delete_manifest("r", "v2");
  GcReport dry = gc({0s, {}, true});
  EXPECT_TRUE(dry.dry_run);
  EXPECT_EQ(dry.manifests.size(), 1u);
  EXPECT_TRUE(stored(m));
  EXPECT_TRUE(file_there(digest_of("b")));
  EXPECT_NO_THROW(store_.resolve_manifest("r", m.str(), false));
  GcReport real = gc();
  EXPECT_EQ(real.manifests.size(), dry.manifests.size());
  EXPECT_EQ(real.blobs.size(), dry.blobs.size());
  EXPECT_EQ(real.bytes_freed, dry.bytes_freed);
}

TEST_F(StoreGcTest, IndexChildrenAndReferrersStayWithWhatReachesThem) {
  Digest child = push_image("r", "tmp", "child-layer");
  uint64_t child_size = store_.resolve_manifest("r", "tmp", false).size;
  store_.delete_manifest("r", "tmp");
  Digest index =
      store_.put_manifest("r", "multi", "", testing::oci_index({{child, child_size}})).digest;
  Digest sig = push_image("r", "sig", "signature",
                          R"(,"subject":{"mediaType":"application/vnd.oci.image.index.v1+json",)"
                          R"("digest":")" +
                              index.str() + R"(","size":1})");
  store_.delete_manifest("r", "sig");  // a referrer has no tag of its own

  EXPECT_TRUE(gc().manifests.empty());
  EXPECT_TRUE(stored(child));
  EXPECT_TRUE(stored(sig));
  EXPECT_EQ(store_.list_referrers("r", index, std::nullopt).size(), 1u);

  store_.delete_manifest("r", "multi");
  GcReport r = gc();
  EXPECT_EQ(r.manifests.size(), 3u) << "index, child and referrer go together";
  EXPECT_FALSE(stored(digest_of("child-layer")));
  EXPECT_FALSE(stored(digest_of("signature")));
}

TEST_F(StoreGcTest, RetentionKeepsTheRulesTagsAndOnlyInItsNamespace) {
  push_image("ci/app", "build-1", "b1");
  push_image("ci/app", "build-2", "b2");
  push_image("ci/app", "build-3", "b3");
  push_image("ci/app", "v1.0", "release");
  push_image("prod/app", "build-1", "p1");
  for (auto [tag, age] : {std::pair{"build-1", 300}, {"build-2", 200}, {"v1.0", 400}}) {
    age_tag("ci/app", tag, age);
  }
  age_tag("prod/app", "build-1", 1000);
  RetentionRule rule{"ci", 1, std::nullopt, {"v*"}};

  GcReport dry = gc({0s, {rule}, true});
  ASSERT_EQ(dry.tags.size(), 2u);
  EXPECT_EQ(dry.tags[0].repository, "ci/app");
  EXPECT_EQ(dry.tags[0].name, "build-2");
  EXPECT_EQ(dry.tags[1].name, "build-1");
  EXPECT_EQ(store_.list_tags("ci/app", "", 100).size(), 4u) << "a dry run removes nothing";

  GcReport r = gc({0s, {rule}, false});
  EXPECT_EQ(r.tags.size(), 2u);
  EXPECT_EQ(store_.list_tags("ci/app", "", 100), (std::vector<std::string>{"build-3", "v1.0"}));
  EXPECT_EQ(store_.list_tags("prod/app", "", 100).size(), 1u);
  EXPECT_FALSE(stored(digest_of("b1")));
  EXPECT_TRUE(stored(digest_of("p1")));

  RetentionRule by_age{"*", std::nullopt, 250s, {}};
  GcReport aged = gc({0s, {by_age}, false});
  ASSERT_EQ(aged.tags.size(), 2u) << "v1.0 (400 s) and prod build-1 (1000 s) are older";
}

TEST_F(StoreGcTest, RetentionNeverDropsATagTheRulesMarkImmutable) {
  push_image("ci/app", "build-1", "b1");
  push_image("ci/app", "release-1", "r1");
  push_image("ci/app", "build-2", "b2");
  age_tag("ci/app", "build-1", 300);
  age_tag("ci/app", "release-1", 200);
  access::NamespaceChange ci;
  ci.set.immutable = std::vector<std::string>{"release-*"};
  access::Accounts(store_.database()).change_namespace("ci", ci);
  access::Rules rules(store_.database(), {});
  RetentionRule keep_newest{"ci", 1, std::nullopt, {}};
  GcOptions options{0s, {keep_newest}, false};
  options.protected_tag = [&rules](const std::string& repository, const std::string& tag) {
    return rules.immutable(repository, tag);
  };
  GcReport r = gc(options);
  ASSERT_EQ(r.tags.size(), 1u);
  EXPECT_EQ(r.tags[0].name, "build-1");
  EXPECT_EQ(store_.list_tags("ci/app", "", 100), (std::vector<std::string>{"build-2", "release-1"}))
      << "the newest tag by the rule, and the immutable one whatever the rule says";
  EXPECT_TRUE(stored(digest_of("r1")));
}

TEST_F(StoreGcTest, FilesWithoutARowAreRemoved) {
  push_image("r", "v1", "layer");
  Digest orphan = digest_of("left by a crash");
  std::string dir = dir_.path() + "/blobs/sha256/" + orphan.hex().substr(0, 2);
  mkdirs(dir);
  write_file_atomic(dir + "/" + orphan.hex(), "left by a crash");
  EXPECT_EQ(gc({0s, {}, true}).orphan_files, 1u);
  EXPECT_TRUE(file_there(orphan));
  EXPECT_EQ(gc().orphan_files, 1u);
  EXPECT_FALSE(file_there(orphan));
  EXPECT_TRUE(file_there(digest_of("layer")));
}

TEST_F(StoreGcTest, WaitsForAnImportAndGivesUp) {
  auto import_lock = FileLock::try_acquire(store_.import_lock_path());
  ASSERT_TRUE(import_lock);
  EXPECT_FALSE(store_.collect_garbage({0s, {}, false}, 100ms));
}

TEST_F(StoreGcTest, APushAfterCollectionStoresTheContentAgain) {
  push_image("r", "v1", "layer");
  store_.delete_manifest("r", "v1");
  gc();
  ASSERT_FALSE(stored(digest_of("layer")));
  push_image("r", "v1", "layer");
  EXPECT_TRUE(file_there(digest_of("layer")));
  EXPECT_NO_THROW(store_.open_blob("r", digest_of("layer")));
}

}  // namespace
}  // namespace ferry

namespace ferry {
namespace {

// Issue 13 item 9: the blobs an index of blobs (a buildx cache) lists stay
// while the index is tagged, and go with it.
TEST_F(StoreGcTest, AnIndexOfBlobsKeepsItsBlobs) {
  Digest layer = push_blob("ci/cache", "cached layer");
  Digest cache = push_blob("ci/cache", "cache config");
  std::string index =
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[)"
      R"({"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":")" +
      layer.str() +
      R"(","size":12},{"mediaType":"application/vnd.buildkit.cacheconfig.v0","digest":")" +
      cache.str() + R"(","size":12}]})";
  store_.put_manifest("ci/cache", "buildcache", "", index);

  GcReport r = gc();
  EXPECT_TRUE(r.blobs.empty());
  EXPECT_TRUE(stored(layer));
  EXPECT_TRUE(stored(cache));
  EXPECT_TRUE(store_.blob_size("ci/cache", layer)) << "still linked into the repository";

  store_.delete_manifest("ci/cache", "buildcache");
  gc();
  EXPECT_FALSE(stored(layer));
  EXPECT_FALSE(stored(cache));
}

}  // namespace
}  // namespace ferry

#include "core/store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "base/error.h"
#include "core/file_util.h"
#include "core/media_types.h"
#include "core/sqlite.h"
#include "tests/support/manifests.h"
#include "tests/support/temp_dir.h"

namespace ferry {
namespace {

using testing::TempDir;

ErrorCode code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code_in<ErrorCode>().value_or(ErrorCode::kInternal);
  }
  return ErrorCode::kInternal;
}

class StoreTest : public ::testing::Test {
 protected:
  TempDir dir_;
  std::unique_ptr<Store> store_ = std::make_unique<Store>(StoreOptions{dir_.path(), 4096});

  Digest push_blob(const std::string& repo, const std::string& data) {
    Digest d = digest_of(data);
    BlobWriter w = store_->begin_blob(DigestAlgorithm::kSha256);
    w.write(data.data(), data.size());
    store_->commit_blob(repo, w, d);
    return d;
  }

  std::string image_manifest(const Digest& config, size_t config_size, const Digest& layer,
                             size_t layer_size, const std::string& extra = "") {
    return testing::oci_image_manifest(config, config_size, layer, layer_size, extra);
  }

  // Pushes config + layer + manifest under `tag`; returns the manifest digest.
  Digest push_image(const std::string& repo, const std::string& tag, const std::string& layer) {
    Digest c = push_blob(repo, "{}");
    Digest l = push_blob(repo, layer);
    return store_->put_manifest(repo, tag, "", image_manifest(c, 2, l, layer.size())).digest;
  }
};

TEST_F(StoreTest, MonolithicBlobIsStoredByDigestAndScopedToItsRepository) {
  Digest d = push_blob("a/b", "hello");
  EXPECT_EQ(store_->blob_size("a/b", d), 5u);
  EXPECT_FALSE(store_->blob_size("other", d)) << "blobs are linked per repository";
  OpenedBlob blob = store_->open_blob("a/b", d);
  char buf[8] = {};
  ASSERT_EQ(pread(blob.fd.get(), buf, sizeof buf, 0), 5);
  EXPECT_STREQ(buf, "hello");
  EXPECT_TRUE(std::filesystem::exists(dir_.path() + "/blobs/sha256/" + d.hex().substr(0, 2) + "/" +
                                      d.hex()));
}

TEST_F(StoreTest, WrongDigestStoresNothing) {
  BlobWriter w = store_->begin_blob(DigestAlgorithm::kSha256);
  w.write("hello", 5);
  Digest claimed = digest_of("other");
  EXPECT_EQ(code_of([&] { store_->commit_blob("a", w, claimed); }), ErrorCode::kDigestInvalid);
  EXPECT_FALSE(store_->blob_size("a", claimed));
  EXPECT_FALSE(
      std::filesystem::exists(dir_.path() + "/blobs/sha256/" + claimed.hex().substr(0, 2)));
}

TEST_F(StoreTest, ChunkedUploadSurvivesRestartAndVerifies) {
  std::string id = store_->start_upload("r");
  {
    auto up = store_->open_upload("r", id);
    up.append("hel", 3);
  }
  EXPECT_EQ(store_->upload_offset("r", id), 3u);
  // A restart loses the in-memory hash; it is rebuilt from the file.
  store_ = std::make_unique<Store>(StoreOptions{dir_.path(), 4096});
  auto up = store_->open_upload("r", id);
  EXPECT_EQ(up.offset(), 3u);
  up.append("lo", 2);
  up.finish(digest_of("hello"));
  EXPECT_EQ(store_->blob_size("r", digest_of("hello")), 5u);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/uploads/" + id));
}

TEST_F(StoreTest, UploadsAreScopedBusyAndValidated) {
  std::string id = store_->start_upload("r");
  EXPECT_EQ(code_of([&] { store_->open_upload("other", id); }), ErrorCode::kBlobUploadUnknown);
  EXPECT_EQ(code_of([&] { store_->open_upload("r", "../../ferry.db"); }),
            ErrorCode::kBlobUploadUnknown);
  auto held = store_->open_upload("r", id);
  EXPECT_EQ(code_of([&] { store_->open_upload("r", id); }), ErrorCode::kBlobUploadInvalid);
}

TEST_F(StoreTest, UploadWhoseFileVanishedInACrashIsUnknownNotAnError) {
  std::string id = store_->start_upload("r");
  store_ = std::make_unique<Store>(StoreOptions{dir_.path(), 4096});  // "restart"
  std::filesystem::remove(dir_.path() + "/uploads/" + id);            // crash mid-expiry
  EXPECT_EQ(code_of([&] { store_->upload_offset("r", id); }), ErrorCode::kBlobUploadUnknown);
  EXPECT_EQ(code_of([&] { store_->upload_offset("r", id); }), ErrorCode::kBlobUploadUnknown)
      << "and its row is gone too";
}

TEST_F(StoreTest, CancelAndExpiryRemoveFiles) {
  std::string a = store_->start_upload("r");
  std::string b = store_->start_upload("r");
  store_->cancel_upload("r", a);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/uploads/" + a));
  EXPECT_EQ(code_of([&] { store_->upload_offset("r", a); }), ErrorCode::kBlobUploadUnknown);
  EXPECT_EQ(store_->expire_uploads(std::chrono::seconds(3600)), 0u);
  EXPECT_EQ(store_->expire_uploads(std::chrono::seconds(-10)), 1u);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/uploads/" + b));
}

TEST_F(StoreTest, ManifestNeedsItsBlobsInTheSameRepository) {
  Digest c = push_blob("other", "{}");
  Digest l = push_blob("other", "layer");
  std::string m = image_manifest(c, 2, l, 5);
  EXPECT_EQ(code_of([&] { store_->put_manifest("r", "v1", "", m); }),
            ErrorCode::kManifestBlobUnknown);
  EXPECT_EQ(code_of([&] { store_->resolve_manifest("r", "v1", false); }), ErrorCode::kNameUnknown)
      << "the refused push created nothing, not even the repository";
  store_->mount_blob("r", c, std::string("other"));
  store_->mount_blob("r", l, std::nullopt);
  EXPECT_EQ(code_of([&] { store_->put_manifest("r", "v1", "", image_manifest(c, 2, l, 6)); }),
            ErrorCode::kManifestInvalid)
      << "declared size must match the stored blob";
  auto put = store_->put_manifest("r", "v1", "", m);
  auto info = store_->resolve_manifest("r", "v1", true);
  EXPECT_EQ(info.digest, put.digest.str());
  EXPECT_EQ(info.media_type, media::kOciManifest);
  EXPECT_TRUE(info.fd);
}

TEST_F(StoreTest, PutByDigestMustMatchAndTooLargeIsRefused) {
  Digest c = push_blob("r", "{}");
  Digest l = push_blob("r", "layer");
  std::string m = image_manifest(c, 2, l, 5);
  EXPECT_EQ(code_of([&] { store_->put_manifest("r", digest_of("x").str(), "", m); }),
            ErrorCode::kDigestInvalid);
  auto sha512 = digest_of(m, DigestAlgorithm::kSha512);
  EXPECT_EQ(store_->put_manifest("r", sha512.str(), "", m).digest, sha512);
  EXPECT_EQ(code_of([&] { store_->put_manifest("r", "big", "", std::string(5000, ' ')); }),
            ErrorCode::kTooLarge);
}

TEST_F(StoreTest, DeletesKeepEveryReferenceWhole) {
  Digest m = push_image("r", "v1", "layer");
  Digest layer = digest_of("layer");
  EXPECT_EQ(code_of([&] { store_->delete_blob("r", layer); }), ErrorCode::kStillReferenced);
  std::string index = testing::oci_index({{m, store_->resolve_manifest("r", "v1", false).size}});
  Digest idx = store_->put_manifest("r", "multi", "", index).digest;
  EXPECT_EQ(code_of([&] { store_->delete_manifest("r", m.str()); }), ErrorCode::kStillReferenced);
  store_->delete_manifest("r", idx.str());
  EXPECT_EQ(code_of([&] { store_->resolve_manifest("r", "multi", false); }),
            ErrorCode::kManifestUnknown)
      << "deleting a manifest removes its tags";
  store_->delete_manifest("r", m.str());
  store_->delete_blob("r", layer);
  EXPECT_FALSE(store_->blob_size("r", layer));
}

TEST_F(StoreTest, TagsPaginateInOrder) {
  Digest c = push_blob("r", "{}");
  Digest l = push_blob("r", "layer");
  std::string m = image_manifest(c, 2, l, 5);
  for (const char* t : {"d", "b", "a", "c"}) store_->put_manifest("r", t, "", m);
  EXPECT_EQ(store_->list_tags("r", "", 2), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(store_->list_tags("r", "b", 10), (std::vector<std::string>{"c", "d"}));
  EXPECT_EQ(code_of([&] { store_->list_tags("nope", "", 1); }), ErrorCode::kNameUnknown);
  EXPECT_EQ(store_->list_repositories("", 10), (std::vector<std::string>{"r"}));
}

TEST_F(StoreTest, ReferrersFilterByArtifactType) {
  Digest subject = push_image("r", "v1", "layer");
  Digest c = digest_of("{}");
  Digest l = digest_of("layer");
  std::string subj =
      R"(,"subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
      subject.str() + R"(","size":1})";
  store_->put_manifest(
      "r", digest_of(image_manifest(c, 2, l, 5, subj + R"(,"artifactType":"x/sig")")).str(), "",
      image_manifest(c, 2, l, 5, subj + R"(,"artifactType":"x/sig")"));
  store_->put_manifest(
      "r", digest_of(image_manifest(c, 2, l, 5, subj + R"(,"artifactType":"x/sbom")")).str(), "",
      image_manifest(c, 2, l, 5, subj + R"(,"artifactType":"x/sbom")"));
  EXPECT_EQ(store_->list_referrers("r", subject, std::nullopt).size(), 2u);
  auto sigs = store_->list_referrers("r", subject, std::string("x/sig"));
  ASSERT_EQ(sigs.size(), 1u);
  EXPECT_EQ(sigs[0].artifact_type, "x/sig");
  EXPECT_TRUE(store_->list_referrers("unknown", subject, std::nullopt).empty());
}

TEST_F(StoreTest, LeftoverStagingFilesAreClearedAtStart) {
  write_file_atomic(dir_.path() + "/tmp/partial", "junk");
  store_ = std::make_unique<Store>(StoreOptions{dir_.path(), 4096});
  EXPECT_TRUE(std::filesystem::is_empty(dir_.path() + "/tmp"));
}

}  // namespace
}  // namespace ferry

namespace ferry {
namespace {

TEST_F(StoreTest, AManifestPushAsksBeforeMovingATagInsideItsTransaction) {
  Digest first = push_image("r", "v1", "one");
  Digest c = push_blob("r", "{}");
  Digest l = push_blob("r", "two");
  std::string second = image_manifest(c, 2, l, 3);
  std::vector<std::string> asked;
  auto refuse = [&](const std::string& repo, const std::string& tag, const std::string& from,
                    const std::string& to) {
    asked = {repo, tag, from, to};
    throw Error(ErrorCode::kDenied, "immutable");
  };
  EXPECT_THROW(store_->put_manifest("r", "v1", "", second, refuse), Error);
  EXPECT_EQ(asked, (std::vector<std::string>{"r", "v1", first.str(), digest_of(second).str()}));
  EXPECT_EQ(store_->resolve_manifest("r", "v1", false).digest, first.str()) << "v1 did not move";
  asked.clear();
  EXPECT_NO_THROW(store_->put_manifest("r", "v2", "", second, refuse)) << "a new tag moves nothing";
  EXPECT_NO_THROW(store_->put_manifest(
      "r", "v1", "", image_manifest(push_blob("r", "{}"), 2, push_blob("r", "one"), 3), refuse))
      << "nor does the same manifest again";
  EXPECT_TRUE(asked.empty());
}

// namespace_usage is kept between changes: every commit, by this store or
// by another process (a hand-run `ferryd import`, `ferryctl gc`), shows.
TEST_F(StoreTest, NamespaceUsageFollowsEveryCommitThoughKept) {
  push_image("team/a", "v1", "layer-one");
  auto first = store_->namespace_usage();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].name, "team");
  EXPECT_EQ(first[0].tags, 1u);
  EXPECT_EQ(store_->namespace_usage()[0].bytes, first[0].bytes) << "the same figure, kept";

  push_image("team/b", "v1", "layer-two, longer");
  auto second = store_->namespace_usage();
  EXPECT_EQ(second[0].repositories, 2u);
  EXPECT_GT(second[0].bytes, first[0].bytes) << "a push through the store shows at once";

  {  // another process's connection, as a hand-run import or ferryctl would be
    sql::Database other(dir_.path() + "/ferry.db");
    other.exec(
        "DELETE FROM tags WHERE name = 'v1' AND repository_id = "
        "(SELECT id FROM repositories WHERE name = 'team/b')");
  }
  EXPECT_EQ(store_->namespace_usage()[0].tags, 1u) << "a commit by another connection shows too";
}

// A repository counts once it holds a manifest, as /v2/_catalog lists it:
// blobs pushed ahead of their manifest (or left by a push that died) make
// none, in the totals (ferryctl status, /metrics) and per namespace alike.
TEST_F(StoreTest, ARepositoryCountsOnceItHoldsAManifest) {
  push_blob("team/pending", "a layer whose manifest never came");
  EXPECT_EQ(store_->stats().repositories, 0u);
  EXPECT_EQ(store_->list_repositories("", 10).size(), 0u);
  auto usage = store_->namespace_usage();
  ASSERT_EQ(usage.size(), 1u);
  EXPECT_EQ(usage[0].repositories, 0u);
  EXPECT_GT(usage[0].bytes, 0u) << "its bytes still count toward the namespace";
  EXPECT_EQ(store_->prefix_usage("team").repositories, 0u);

  push_image("team/app", "v1", "layer");
  EXPECT_EQ(store_->stats().repositories, 1u);
  EXPECT_EQ(store_->namespace_usage()[0].repositories, 1u);
  EXPECT_EQ(store_->prefix_usage("team").repositories, 1u);
}

}  // namespace
}  // namespace ferry

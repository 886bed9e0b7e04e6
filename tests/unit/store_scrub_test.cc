#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "base/error.h"
#include "core/file_util.h"
#include "core/store.h"
#include "tests/support/manifests.h"
#include "tests/support/temp_dir.h"

namespace ferry {
namespace {

using testing::TempDir;
using namespace std::chrono_literals;

class StoreScrubTest : public ::testing::Test {
 protected:
  TempDir dir_;
  Store store_{StoreOptions{dir_.path(), 1 << 20}};
  std::string layer_ = std::string(300000, 'x') + "layer";
  Digest config_ = digest_of("{}");
  Digest layer_digest_ = digest_of(layer_);
  std::string manifest_ = testing::oci_image_manifest(config_, 2, layer_digest_, layer_.size());
  Digest manifest_digest_ = digest_of(manifest_);

  void SetUp() override {
    push_blob("{}");
    push_blob(layer_);
    store_.put_manifest("r", "v1", "", manifest_);
  }
  void push_blob(const std::string& data) {
    BlobWriter w = store_.begin_blob(DigestAlgorithm::kSha256);
    w.write(data.data(), data.size());
    store_.commit_blob("r", w, digest_of(data));
  }
  std::string path(const Digest& d) {
    return dir_.path() + "/blobs/sha256/" + d.hex().substr(0, 2) + "/" + d.hex();
  }
  std::string message_of(const std::function<void()>& f) {
    try {
      f();
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  }
};

TEST_F(StoreScrubTest, ACleanStoreIsClean) {
  ScrubReport r = store_.scrub({});
  EXPECT_TRUE(r.clean());
  EXPECT_EQ(r.checked, 3u);
  EXPECT_EQ(r.bytes, 2 + layer_.size() + manifest_.size());
}

TEST_F(StoreScrubTest, AFlippedByteIsQuarantinedNotServedAndRepairedByARepush) {
  {
    std::fstream f(path(layer_digest_), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(1000);
    f.put('y');
  }
  ScrubReport r = store_.scrub({});
  ASSERT_EQ(r.damaged.size(), 1u);
  EXPECT_EQ(r.damaged[0].digest, layer_digest_.str());
  EXPECT_NE(r.damaged[0].reason.find("hash to"), std::string::npos) << r.damaged[0].reason;
  EXPECT_FALSE(std::filesystem::exists(path(layer_digest_)));
  EXPECT_TRUE(std::filesystem::exists(dir_.path() + "/quarantine/sha256-" + layer_digest_.hex()));

  EXPECT_FALSE(store_.blob_size("r", layer_digest_)) << "a HEAD says absent, so clients push it";
  EXPECT_NE(
      message_of([&] { store_.open_blob("r", layer_digest_); }).find("failed an integrity check"),
      std::string::npos);
  EXPECT_FALSE(store_.has_content(layer_digest_)) << "an import writes it again";

  ScrubReport again = store_.scrub({});
  EXPECT_TRUE(again.damaged.empty());
  EXPECT_EQ(again.known_damaged, 1u);
  EXPECT_FALSE(again.clean());

  push_blob(layer_);
  EXPECT_EQ(store_.blob_size("r", layer_digest_), layer_.size());
  EXPECT_NO_THROW(store_.open_blob("r", layer_digest_));
  EXPECT_TRUE(store_.scrub({}).clean());

  auto gc = store_.collect_garbage({1h, {}, false}, 0ms);
  ASSERT_TRUE(gc);
  EXPECT_EQ(gc->orphan_files, 1u) << "the quarantined copy goes once repaired";
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/quarantine/sha256-" + layer_digest_.hex()));
}

TEST_F(StoreScrubTest, ATruncatedManifestIsRefusedUntilPushedAgain) {
  std::filesystem::resize_file(path(manifest_digest_), 10);
  ScrubReport r = store_.scrub({});
  ASSERT_EQ(r.damaged.size(), 1u);
  EXPECT_NE(r.damaged[0].reason.find("10 bytes"), std::string::npos) << r.damaged[0].reason;
  std::string why = message_of([&] { store_.resolve_manifest("r", "v1", false); });
  EXPECT_NE(why.find("push or import it again"), std::string::npos) << why;

  store_.put_manifest("r", "v1", "", manifest_);
  EXPECT_EQ(store_.resolve_manifest("r", "v1", true).digest, manifest_digest_.str());
  EXPECT_TRUE(store_.scrub({}).clean());
}

TEST_F(StoreScrubTest, AMissingFileIsReported) {
  std::filesystem::remove(path(config_));
  ScrubReport r = store_.scrub({});
  ASSERT_EQ(r.damaged.size(), 1u);
  EXPECT_EQ(r.damaged[0].reason, "its file is missing");
}

TEST_F(StoreScrubTest, BrokenReferencesAreListed) {
  store_.database().acquire()->exec("DELETE FROM repository_blobs");
  ScrubReport r = store_.scrub({});
  EXPECT_EQ(r.broken_references.size(), 2u) << "config and layer of r@manifest";
  EXPECT_NE(r.broken_references[0].find("which is gone"), std::string::npos);
}

TEST_F(StoreScrubTest, StopsWhenAsked) {
  std::stop_source stop;
  stop.request_stop();
  ScrubReport r = store_.scrub({}, stop.get_token());
  EXPECT_TRUE(r.stopped);
  EXPECT_TRUE(r.damaged.empty());
}

}  // namespace
}  // namespace ferry

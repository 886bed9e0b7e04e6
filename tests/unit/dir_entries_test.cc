// list_directory (base/dir_entries.h): a directory that cannot be listed is
// an error, never an empty directory. Provoked with a symlink loop, which
// opendir() refuses with ELOOP even for root (a mode-000 folder does not
// stop root); readdir()'s own failure (EOVERFLOW on a 32-bit build without
// large-file support, EIO) takes the same path through errno.
#include "base/dir_entries.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "base/error.h"
#include "core/file_util.h"
#include "core/store.h"
#include "tests/support/temp_dir.h"

namespace ferry {
namespace {

using testing::TempDir;
using namespace std::chrono_literals;

TEST(DirEntriesTest, ListsNamesAndFoldersWithoutDots) {
  TempDir dir;
  mkdirs(dir / "sub");
  write_file_atomic(dir / "a.txt", "a");
  auto entries = list_directory(dir.path());
  std::sort(entries.begin(), entries.end(),
            [](const DirEntry& x, const DirEntry& y) { return x.name < y.name; });
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].name, "a.txt");
  EXPECT_FALSE(entries[0].is_dir);
  EXPECT_EQ(entries[1].name, "sub");
  EXPECT_TRUE(entries[1].is_dir);
}

TEST(DirEntriesTest, AMissingFolderListsAsEmpty) {
  TempDir dir;
  EXPECT_TRUE(list_directory(dir / "not-made-yet").empty());
}

TEST(DirEntriesTest, AFolderThatCannotBeListedIsAnErrorNotEmpty) {
  TempDir dir;
  ASSERT_EQ(::symlink("loop", (dir / "loop").c_str()), 0);
  try {
    list_directory(dir / "loop");
    FAIL() << "an unlistable folder was read as empty";
  } catch (const Error& e) {
    EXPECT_TRUE(e.is(ErrorCode::kStorage));
    EXPECT_NE(std::string(e.what()).find("cannot list " + (dir / "loop")), std::string::npos)
        << e.what();
  }
}

// The bug this guards against: GC read an unlistable shard as empty and
// reported a clean store, leaving every orphan in it on disk.
TEST(DirEntriesTest, GcFailsOnAShardItCannotListInsteadOfSkippingIt) {
  TempDir dir;
  Store store{StoreOptions{dir.path(), 1 << 20}};
  std::string shards = dir / "blobs/sha256";
  mkdirs(shards);
  ASSERT_EQ(::symlink("zz", (shards + "/zz").c_str()), 0);
  EXPECT_THROW(store.collect_garbage({0s, {}, false}, 0ms), Error);
}

}  // namespace
}  // namespace ferry

// Content-addressed files: blobs/<algorithm>/<first two hex>/<hex>.
// A file appears at its digest's path only by rename, after its bytes were
// hashed, checked and fsynced, so any file found there is complete and right.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/digest.h"
#include "core/file_util.h"
#include "core/unique_fd.h"

namespace ferry {

class BlobStore {
 public:
  // root is the data dir; blobs/, uploads/ and tmp/ are created below it.
  explicit BlobStore(std::string root);

  std::string path_for(const Digest& digest) const;
  std::string upload_path(std::string_view upload_id) const;
  // A fresh unique name in tmp/, or in tmp/<subdir>/ (created on demand).
  std::string temp_path(std::string_view subdir = {}) const;
  const std::string& root() const { return root_; }

  // Opens a stored blob for reading; empty when absent.
  UniqueFd open(const Digest& digest) const;
  bool contains(const Digest& digest) const;

  // Moves a complete, fsynced file to its digest's path and makes the rename
  // durable. When the content is already there the staged copy is dropped.
  void publish(const std::string& staged_path, const Digest& digest);

  // Moves damaged content out of the way, to quarantine/<algorithm>-<hex>,
  // where it is never served but stays for a post-mortem. False when the
  // file is not there (GC removed it meanwhile).
  bool quarantine(const Digest& digest);
  std::string quarantine_dir() const { return root_ + "/quarantine"; }

  // Stores small content (a manifest) given whole.
  void put_bytes(const Digest& digest, std::string_view bytes);

  // Removes the files in tmp/ (left by a crash; never visible to anyone),
  // or in tmp/<subdir>/; subfolders of tmp/ belong to their own owners.
  void clear_temp(std::string_view subdir = {});

 private:
  std::string shard_dir(const Digest& digest) const;

  std::string root_;
};

// Streams bytes into a staging file while hashing them. Nothing is visible
// until BlobStore::publish renames it; the destructor removes whatever is
// still at the staging path, so an abandoned write leaves nothing behind.
class BlobWriter {
 public:
  struct Options {
    // false: the caller hashes the same bytes itself (import: the bundle
    // verifier checks every entry), so they are not hashed twice.
    bool hash = true;
    // Bulk writes (import) drop each written range from the page cache once
    // it is on disk: a multi-GiB import then neither evicts what the box
    // serves nor keeps allocating fresh pages. Measured: a third less CPU.
    bool drop_behind = false;
  };
  BlobWriter(std::string path, DigestAlgorithm algorithm)
      : BlobWriter(path, algorithm, Options{}) {}
  BlobWriter(std::string path, DigestAlgorithm algorithm, Options options);
  BlobWriter(BlobWriter&&) noexcept = default;
  ~BlobWriter();

  void write(const void* data, size_t size);
  uint64_t size() const { return size_; }
  Digest digest() const { return hasher_.digest(); }  // only when hashing
  bool hashing() const { return hashing_; }
  // fsyncs and closes; the file stays for publish().
  void finish();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  UniqueFd fd_;
  Hasher hasher_;
  bool hashing_;
  WriteBehind write_behind_;
  uint64_t size_ = 0;
};

}  // namespace ferry

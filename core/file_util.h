// Small POSIX helpers for crash-safe file handling. Every function throws
// ferry::Error(kStorage) with the path and the system's reason on failure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/unique_fd.h"

namespace ferry {

UniqueFd open_or_throw(const std::string& path, int flags, int mode = 0644);
// Opens for reading; an absent file is an empty UniqueFd, not an error.
UniqueFd open_if_exists(const std::string& path);
void write_all(int fd, const void* data, size_t size, const std::string& path);
void fsync_or_throw(int fd, const std::string& path);
// Streams large writes to disk as they happen: every kWriteBehindBytes it asks
// the kernel to start writeback of what was written since, without waiting.
// The final fsync then has little left to flush, and a small-RAM box does not
// fill up with dirty pages during a big upload. With drop_behind it also
// waits for the previous window's writeback and drops it from the page cache.
class WriteBehind {
 public:
  static constexpr uint64_t kWriteBehindBytes = 8 << 20;
  explicit WriteBehind(uint64_t start = 0, bool drop_behind = false)
      : flushed_(start), dropped_(start), drop_behind_(drop_behind) {}
  void wrote_up_to(int fd, uint64_t end);

 private:
  uint64_t flushed_;
  uint64_t dropped_;
  bool drop_behind_;
};

// fsync on a directory makes a rename or unlink inside it durable.
void fsync_dir(const std::string& dir);
void mkdirs(const std::string& dir, int mode = 0755);
uint64_t file_size(int fd, const std::string& path);
bool path_exists(const std::string& path);
// Unlinks; an absent file is fine. Returns true when something was removed.
bool remove_file(const std::string& path);
std::string parent_dir(std::string_view path);
// Reads a small file (manifests, configs) whole; refuses files over max_size.
std::string read_small_file(const std::string& path, uint64_t max_size);
// Writes data to path atomically: temp file beside it, fsync, rename, fsync dir.
void write_file_atomic(const std::string& path, std::string_view data, int mode = 0644);

}  // namespace ferry

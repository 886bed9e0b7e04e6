// An exclusive advisory lock (flock) on a file, held for the object's life.
// The kernel drops it when the process dies, so a kill -9 never leaves a
// stale lock behind for the next run to trip over.
#pragma once

#include <fcntl.h>
#include <sys/file.h>

#include <optional>
#include <string>

#include "core/file_util.h"
#include "core/unique_fd.h"

namespace ferry {

class FileLock {
 public:
  // Takes the lock without waiting; nullopt when another process holds it.
  static std::optional<FileLock> try_acquire(const std::string& path) {
    UniqueFd fd = open_or_throw(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) return std::nullopt;
    return FileLock(std::move(fd));
  }

 private:
  explicit FileLock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace ferry

// Advisory locks (flock) on a file, held for the object's life. The kernel
// drops them when the process dies, so a kill -9 never leaves a stale lock
// behind for the next run to trip over. Each lock opens the file afresh:
// flock belongs to an open file description, so two locks taken by threads
// of one process are as independent as locks of two processes.
#pragma once

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>
#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include "base/error.h"
#include "core/file_util.h"
#include "core/unique_fd.h"

namespace ferry {

class FileLock {
 public:
  // Exclusive, without waiting; nullopt when someone else holds the file.
  static std::optional<FileLock> try_acquire(const std::string& path) {
    UniqueFd fd = open_lock_file(path);
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) return std::nullopt;
    return FileLock(std::move(fd));
  }
  // Exclusive, polling for up to `wait`.
  static std::optional<FileLock> acquire_within(const std::string& path,
                                                std::chrono::milliseconds wait) {
    auto deadline = std::chrono::steady_clock::now() + wait;
    while (true) {
      if (auto lock = try_acquire(path)) return lock;
      if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  // Blocking; `shared` locks coexist with each other but not with an exclusive one.
  static FileLock acquire(const std::string& path, bool shared) {
    UniqueFd fd = open_lock_file(path);
    while (::flock(fd.get(), shared ? LOCK_SH : LOCK_EX) != 0) {
      if (errno != EINTR) throw_errno("cannot lock " + path, errno);
    }
    return FileLock(std::move(fd));
  }

 private:
  explicit FileLock(UniqueFd fd) : fd_(std::move(fd)) {}
  static UniqueFd open_lock_file(const std::string& path) {
    return open_or_throw(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  }
  UniqueFd fd_;
};

}  // namespace ferry

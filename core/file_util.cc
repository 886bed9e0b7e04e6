#include "core/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <random>

#include "base/error.h"

namespace ferry {

UniqueFd open_or_throw(const std::string& path, int flags, int mode) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0) throw_errno("cannot open " + path, errno);
  return UniqueFd(fd);
}

UniqueFd open_if_exists(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno != ENOENT) throw_errno("cannot open " + path, errno);
  return UniqueFd(fd);
}

void write_all(int fd, const void* data, size_t size, const std::string& path) {
  auto* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("cannot write " + path, errno);
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
}

void WriteBehind::wrote_up_to(int fd, uint64_t end) {
  if (end < flushed_ + kWriteBehindBytes) return;
  // Advisory: on failure the final fsync still does all the work.
  ::sync_file_range(fd, static_cast<off_t>(flushed_), static_cast<off_t>(end - flushed_),
                    SYNC_FILE_RANGE_WRITE);
  if (drop_behind_ && flushed_ > dropped_) {
    auto from = static_cast<off_t>(dropped_), len = static_cast<off_t>(flushed_ - dropped_);
    ::sync_file_range(
        fd, from, len,
        SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
    ::posix_fadvise(fd, from, len, POSIX_FADV_DONTNEED);
    dropped_ = flushed_;
  }
  flushed_ = end;
}

void fsync_or_throw(int fd, const std::string& path) {
  if (::fsync(fd) != 0) throw_errno("cannot fsync " + path, errno);
}

void fsync_dir(const std::string& dir) {
  UniqueFd fd = open_or_throw(dir, O_RDONLY | O_DIRECTORY);
  fsync_or_throw(fd.get(), dir);
}

void mkdirs(const std::string& dir, int mode) {
  if (dir.empty()) return;
  for (size_t pos = 1; pos <= dir.size(); ++pos) {
    if (pos != dir.size() && dir[pos] != '/') continue;
    std::string prefix = dir.substr(0, pos);
    if (::mkdir(prefix.c_str(), mode) != 0 && errno != EEXIST) {
      throw_errno("cannot create directory " + prefix, errno);
    }
  }
}

uint64_t file_size(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw_errno("cannot stat " + path, errno);
  return static_cast<uint64_t>(st.st_size);
}

bool path_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

bool remove_file(const std::string& path) {
  if (::unlink(path.c_str()) == 0) return true;
  if (errno != ENOENT) throw_errno("cannot remove " + path, errno);
  return false;
}

std::string parent_dir(std::string_view path) {
  auto slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

std::string read_small_file(const std::string& path, uint64_t max_size) {
  UniqueFd fd = open_or_throw(path, O_RDONLY);
  uint64_t size = file_size(fd.get(), path);
  if (size > max_size) {
    throw Error(ErrorCode::kTooLarge, path + " is " + std::to_string(size) +
                                          " bytes, over the limit of " + std::to_string(max_size));
  }
  std::string data(size, '\0');
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::read(fd.get(), data.data() + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("cannot read " + path, errno);
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  data.resize(done);
  return data;
}

void write_file_atomic(const std::string& path, std::string_view data, int mode) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string tmp = path + ".tmp." + std::to_string(rng());
  {
    UniqueFd fd = open_or_throw(tmp, O_WRONLY | O_CREAT | O_EXCL, mode);
    try {
      write_all(fd.get(), data.data(), data.size(), tmp);
      fsync_or_throw(fd.get(), tmp);
    } catch (...) {
      ::unlink(tmp.c_str());
      throw;
    }
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw_errno("cannot rename " + tmp + " to " + path, err);
  }
  fsync_dir(parent_dir(path));
}

}  // namespace ferry

#include "core/blob_store.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <memory>
#include <random>

#include "base/dir_entries.h"
#include "base/error.h"
#include "core/file_util.h"

namespace ferry {

BlobStore::BlobStore(std::string root) : root_(std::move(root)) {
  for (const char* sub : {"/blobs/sha256", "/blobs/sha512", "/uploads", "/tmp"}) {
    mkdirs(root_ + sub);
  }
}

std::string BlobStore::shard_dir(const Digest& digest) const {
  std::string dir = root_ + "/blobs/";
  dir += digest.algorithm_name();
  dir += '/';
  dir += digest.hex().substr(0, 2);
  return dir;
}

std::string BlobStore::path_for(const Digest& digest) const {
  return shard_dir(digest) + "/" + digest.hex();
}

std::string BlobStore::upload_path(std::string_view upload_id) const {
  return root_ + "/uploads/" + std::string(upload_id);
}

std::string BlobStore::temp_path(std::string_view subdir) const {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char name[32];
  snprintf(name, sizeof name, "%016llx", static_cast<unsigned long long>(rng()));
  if (subdir.empty()) return root_ + "/tmp/" + name;
  std::string dir = root_ + "/tmp/" + std::string(subdir);
  mkdirs(dir);
  return dir + "/" + name;
}

UniqueFd BlobStore::open(const Digest& digest) const {
  return open_if_exists(path_for(digest));
}

bool BlobStore::contains(const Digest& digest) const {
  return path_exists(path_for(digest));
}

void BlobStore::publish(const std::string& staged_path, const Digest& digest) {
  std::string dir = shard_dir(digest);
  if (::mkdir(dir.c_str(), 0755) == 0) {
    fsync_dir(parent_dir(dir));  // the new shard directory itself must survive
  } else if (errno != EEXIST) {
    throw_errno("cannot create directory " + dir, errno);
  }
  std::string final_path = dir + "/" + digest.hex();
  if (path_exists(final_path)) {
    // Same digest, same bytes: keep the copy that is already durable.
    remove_file(staged_path);
    return;
  }
  if (::rename(staged_path.c_str(), final_path.c_str()) != 0) {
    throw_errno("cannot move " + staged_path + " into the store", errno);
  }
  fsync_dir(dir);
}

bool BlobStore::quarantine(const Digest& digest) {
  std::string to = quarantine_dir();
  mkdirs(to);
  to += "/" + std::string(digest.algorithm_name()) + "-" + digest.hex();
  if (::rename(path_for(digest).c_str(), to.c_str()) != 0) {
    if (errno == ENOENT) return false;
    throw_errno("cannot move damaged " + digest.str() + " to " + quarantine_dir(), errno);
  }
  fsync_dir(shard_dir(digest));
  return true;
}

void BlobStore::put_bytes(const Digest& digest, std::string_view bytes) {
  if (contains(digest)) return;
  BlobWriter writer(temp_path(), digest.algorithm());
  writer.write(bytes.data(), bytes.size());
  writer.finish();
  publish(writer.path(), digest);
}

void BlobStore::clear_temp(std::string_view subdir) {
  std::string dir = root_ + "/tmp";
  if (!subdir.empty()) dir += "/" + std::string(subdir);
  for (const DirEntry& e : list_directory(dir)) {
    if (e.name[0] == '.' || e.is_dir) continue;
    remove_file(dir + "/" + e.name);
  }
}

BlobWriter::BlobWriter(std::string path, DigestAlgorithm algorithm, Options options)
    : path_(std::move(path)),
      fd_(open_or_throw(path_, O_WRONLY | O_CREAT | O_EXCL, 0644)),
      hasher_(algorithm),
      hashing_(options.hash),
      write_behind_(0, options.drop_behind) {}

BlobWriter::~BlobWriter() {
  if (!path_.empty()) ::unlink(path_.c_str());  // ENOENT after publish is expected
}

void BlobWriter::write(const void* data, size_t size) {
  write_all(fd_.get(), data, size, path_);
  if (hashing_) hasher_.update(data, size);
  size_ += size;
  write_behind_.wrote_up_to(fd_.get(), size_);
}

void BlobWriter::finish() {
  fsync_or_throw(fd_.get(), path_);
  fd_.reset();
}

}  // namespace ferry

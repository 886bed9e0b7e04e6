#include "bundler/file_artifact.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <exception>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "base/error.h"
#include "core/file_util.h"
#include "core/media_types.h"

namespace ferry::cli::files {
namespace {

using ordered = nlohmann::ordered_json;
namespace fs = std::filesystem;

constexpr size_t kChunk = 1 << 20;

ordered descriptor_json(const Descriptor& d) {
  return ordered{{"mediaType", d.media_type}, {"digest", d.digest.str()}, {"size", d.size}};
}

// Where the tar stream goes: hashed as tar, gzipped by zlib (a fixed
// header: no name, mtime 0), hashed again and written to the file.
class GzipSink {
 public:
  explicit GzipSink(std::string path)
      : path_(std::move(path)), fd_(open_or_throw(path_, O_WRONLY | O_CREAT | O_TRUNC, 0644)) {
    if (deflateInit2(&z_, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      throw Error(ErrorCode::kInternal, "zlib: deflateInit2 failed");
    }
  }
  ~GzipSink() { deflateEnd(&z_); }
  GzipSink(const GzipSink&) = delete;
  GzipSink& operator=(const GzipSink&) = delete;

  void write(const void* data, size_t size) {
    tar_.update(data, size);
    z_.next_in = static_cast<Bytef*>(const_cast<void*>(data));
    z_.avail_in = static_cast<uInt>(size);
    deflate_all(Z_NO_FLUSH);
  }
  void finish() {
    z_.avail_in = 0;
    deflate_all(Z_FINISH);
    fsync_or_throw(fd_.get(), path_);
  }
  Digest tar_digest() const { return tar_.digest(); }
  Digest gz_digest() const { return gz_.digest(); }
  uint64_t gz_size() const { return size_; }
  // What went wrong inside a libarchive callback, to be thrown again outside.
  std::exception_ptr error;

 private:
  void deflate_all(int flush) {
    unsigned char out[64 << 10];
    int rc;
    do {
      z_.next_out = out;
      z_.avail_out = sizeof out;
      rc = deflate(&z_, flush);
      if (rc == Z_STREAM_ERROR) throw Error(ErrorCode::kInternal, "zlib: deflate failed");
      size_t n = sizeof out - z_.avail_out;
      gz_.update(out, n);
      write_all(fd_.get(), out, n, path_);
      size_ += n;
    } while (z_.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
  }

  std::string path_;
  UniqueFd fd_;
  z_stream z_{};
  Hasher tar_, gz_;
  uint64_t size_ = 0;
};

la_ssize_t write_to_sink(archive*, void* sink, const void* data, size_t size) {
  try {
    static_cast<GzipSink*>(sink)->write(data, size);
    return static_cast<la_ssize_t>(size);
  } catch (const std::exception&) {
    static_cast<GzipSink*>(sink)->error = std::current_exception();
    return -1;
  }
}

// One tar writer, pax where ustar cannot hold a name.
class TarWriter {
 public:
  explicit TarWriter(GzipSink& sink) : sink_(sink), a_(archive_write_new(), archive_write_free) {
    archive_write_set_format_pax_restricted(a_.get());
    if (archive_write_open2(a_.get(), &sink, nullptr, write_to_sink, nullptr, nullptr) !=
        ARCHIVE_OK) {
      fail("open");
    }
  }

  void add(const std::string& name, const fs::path& path, const struct stat& st) {
    std::unique_ptr<archive_entry, void (*)(archive_entry*)> e(archive_entry_new(),
                                                               archive_entry_free);
    archive_entry_set_pathname(e.get(), name.c_str());
    archive_entry_set_uid(e.get(), 0);
    archive_entry_set_gid(e.get(), 0);
    archive_entry_set_mtime(e.get(), 0, 0);
    bool exec = (st.st_mode & 0111) != 0;
    if (S_ISDIR(st.st_mode)) {
      archive_entry_set_filetype(e.get(), AE_IFDIR);
      archive_entry_set_perm(e.get(), 0755);
    } else if (S_ISLNK(st.st_mode)) {
      archive_entry_set_filetype(e.get(), AE_IFLNK);
      archive_entry_set_perm(e.get(), 0777);
      archive_entry_set_symlink(e.get(), fs::read_symlink(path).c_str());
    } else {
      archive_entry_set_filetype(e.get(), AE_IFREG);
      archive_entry_set_perm(e.get(), exec ? 0755 : 0644);
      archive_entry_set_size(e.get(), st.st_size);
    }
    if (archive_write_header(a_.get(), e.get()) != ARCHIVE_OK) fail(name);
    if (S_ISREG(st.st_mode)) copy_data(path.string(), static_cast<uint64_t>(st.st_size), name);
  }

  void close() {
    if (archive_write_close(a_.get()) != ARCHIVE_OK) fail("close");
  }

 private:
  void copy_data(const std::string& path, uint64_t size, const std::string& name) {
    UniqueFd fd = open_or_throw(path, O_RDONLY);
    std::vector<char> buf(kChunk);
    uint64_t done = 0;
    while (done < size) {
      ssize_t n = ::read(fd.get(), buf.data(), std::min<uint64_t>(buf.size(), size - done));
      if (n < 0) throw_errno("cannot read " + path, errno);
      if (n == 0) throw Error(ErrorCode::kStorage, path + " shrank while it was packed");
      if (archive_write_data(a_.get(), buf.data(), static_cast<size_t>(n)) < 0) fail(name);
      done += static_cast<uint64_t>(n);
    }
  }
  [[noreturn]] void fail(const std::string& what) {
    if (sink_.error) std::rethrow_exception(sink_.error);
    const char* why = archive_error_string(a_.get());
    throw Error(ErrorCode::kStorage,
                "cannot write the folder archive (" + what + "): " + (why ? why : "unknown error"));
  }

  GzipSink& sink_;
  std::unique_ptr<archive, int (*)(archive*)> a_;
};

struct stat lstat_or_throw(const fs::path& p) {
  struct stat st {};
  if (::lstat(p.c_str(), &st) != 0) throw_errno("cannot read " + p.string(), errno);
  return st;
}

// Depth first, names sorted byte-wise, so the archive does not depend on
// the order the file system lists them in.
void add_tree(TarWriter& tar, const fs::path& dir, const std::string& prefix, int64_t& newest) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    names.push_back(it->path().filename().string());
  }
  if (ec) throw Error(ErrorCode::kStorage, "cannot list " + dir.string() + ": " + ec.message());
  std::sort(names.begin(), names.end());
  for (const auto& n : names) {
    fs::path p = dir / n;
    struct stat st = lstat_or_throw(p);
    newest = std::max<int64_t>(newest, st.st_mtime);
    if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) {
      throw std::invalid_argument(p.string() + " is neither a file, a folder nor a link");
    }
    std::string name = prefix + n + (S_ISDIR(st.st_mode) ? "/" : "");
    tar.add(name, p, st);
    if (S_ISDIR(st.st_mode)) add_tree(tar, p, name, newest);
  }
}

bool repository_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

}  // namespace

std::string artifact_manifest(const std::vector<Layer>& layers, const std::string& created) {
  ordered layer_list = ordered::array();
  for (const auto& l : layers) {
    ordered d = descriptor_json(l.descriptor);
    if (!l.annotations.empty()) d["annotations"] = l.annotations;
    layer_list.push_back(d);
  }
  ordered config = {{"mediaType", media::kEmptyConfig},
                    {"digest", digest_of(kEmptyConfigBytes).str()},
                    {"size", kEmptyConfigBytes.size()},
                    {"data", "e30="}};  // base64 of {}
  ordered m = {{"schemaVersion", 2},
               {"mediaType", media::kOciManifest},
               {"artifactType", media::kFerryFile},
               {"config", config},
               {"layers", layer_list},
               {"annotations", {{"org.opencontainers.image.created", created}}}};
  return m.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

HashedFile hash_file(const std::string& path) {
  UniqueFd fd = open_or_throw(path, O_RDONLY);
  Hasher h;
  std::vector<char> buf(kChunk);
  uint64_t size = 0;
  for (;;) {
    ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0) throw_errno("cannot read " + path, errno);
    if (n == 0) break;
    h.update(buf.data(), static_cast<size_t>(n));
    size += static_cast<uint64_t>(n);
  }
  return {h.digest(), size};
}

FolderArchive write_folder_archive(const std::string& folder, const std::string& title,
                                   const std::string& out) {
  GzipSink sink(out);
  TarWriter tar(sink);
  struct stat root = lstat_or_throw(folder);
  int64_t newest = root.st_mtime;
  tar.add(title + "/", folder, root);
  add_tree(tar, folder, title + "/", newest);
  tar.close();
  sink.finish();
  return {sink.gz_digest(), sink.gz_size(), sink.tar_digest(), newest};
}

std::string default_repository(std::string_view file_name) {
  std::string name;
  for (char c : file_name) {
    char l = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    bool sep = l == '.' || l == '_' || l == '-';
    if (repository_char(l)) {
      name += l;
    } else if (!name.empty() && repository_char(name.back())) {
      name += sep ? l : '-';
    }
  }
  while (!name.empty() && !repository_char(name.back())) name.pop_back();
  return name.empty() ? "" : "files/" + name;
}

}  // namespace ferry::cli::files

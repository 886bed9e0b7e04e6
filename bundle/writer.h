// Writes a bundle: tar entries (libarchive) compressed with multi-threaded
// zstd into OUT.partial (or volumes OUT.NNN.partial), made durable and
// renamed to their final names only by finish().
// Entries stream from file descriptors: no blob is ever held in memory.
#pragma once

#include <archive.h>  // la_ssize_t: ssize_t, an int on 32-bit ARM

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/digest.h"
#include "core/file_util.h"
#include "core/progress.h"
#include "core/unique_fd.h"

struct ZSTD_CCtx_s;

namespace ferry::bundle {

struct WriterOptions {
  int compression_level = 3;
  int threads = 0;  // zstd worker threads; 0 = one per core
  int64_t mtime = 0;
  // Split into volumes OUT.001, OUT.002, ... of exactly this many bytes (the
  // last one smaller); 0 writes one file, OUT.
  uint64_t volume_bytes = 0;
  Progress* progress = nullptr;  // told of every streamed blob byte
};

class BundleWriter {
 public:
  BundleWriter(std::string out_path, WriterOptions options);
  ~BundleWriter();  // an unfinished bundle leaves no file behind
  BundleWriter(const BundleWriter&) = delete;
  BundleWriter& operator=(const BundleWriter&) = delete;

  void add_bytes(std::string_view name, std::string_view data);
  // Copies `size` bytes from `fd` into entry `name` and returns their digest.
  Digest add_file(std::string_view name, int fd, uint64_t size, DigestAlgorithm algorithm);
  // Like add_file, from any source: `read(buf, max)` fills up to max bytes
  // and returns how many (0 = the source ended early, which is refused).
  using ReadFn = std::function<size_t(char* buf, size_t max)>;
  Digest add_stream(std::string_view name, uint64_t size, DigestAlgorithm algorithm,
                    const ReadFn& read);
  void finish();
  uint64_t bytes_written() const { return compressed_bytes_; }
  // The files finish() produced.
  const std::vector<std::string>& outputs() const { return finals_; }

 private:
  struct ArchiveFree {
    void operator()(archive* a) const;
  };
  struct CCtxFree {
    void operator()(ZSTD_CCtx_s* c) const;
  };
  static la_ssize_t on_write(archive*, void* self, const void* data, size_t size);
  void compress(const void* data, size_t size, bool end);
  void header(std::string_view name, uint64_t size);
  void open_volume();
  void emit(const char* data, size_t size);

  std::string out_path_;
  WriterOptions options_;
  std::vector<std::string> partials_;  // written so far, the last one open
  std::vector<std::string> finals_;
  UniqueFd out_;
  uint64_t volume_used_ = 0;
  WriteBehind write_behind_;  // so finish()'s fsync has little left to flush
  std::unique_ptr<ZSTD_CCtx_s, CCtxFree> zstd_;
  std::unique_ptr<archive, ArchiveFree> tar_;
  std::string zbuf_;
  uint64_t compressed_bytes_ = 0;
  bool finished_ = false;
};

}  // namespace ferry::bundle

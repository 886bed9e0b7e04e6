// Writes imported blobs on a thread of their own. Measured on a 2-core box,
// copying blob bytes into the page cache was the largest single cost of an
// import; here it overlaps with reading, decompressing and hashing the
// bundle on the caller's thread. Pieces travel through a small fixed pool of
// buffers (16 x 128 KiB), so memory stays bounded whatever the blob size.
#pragma once

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <vector>

#include "core/digest.h"
#include "core/store.h"

namespace ferry::import {

class WriterThread {
 public:
  static constexpr size_t kPieceBytes = 128 << 10;
  static constexpr size_t kPieces = 16;

  explicit WriterThread(Store& store);
  // Abandons anything not yet committed; its staging file is removed.
  ~WriterThread();
  WriterThread(const WriterThread&) = delete;
  WriterThread& operator=(const WriterThread&) = delete;

  // Each call rethrows an earlier failure of the writer thread (disk full...).
  void begin(DigestAlgorithm algorithm);
  // A free piece to fill (waits for one); write() of a pointer into it hands
  // it over without copying. Any other pointer is copied.
  std::span<char> lend_piece();
  void write(const void* data, size_t size);
  // Publishes the blob (fsync, rename, row) once its bytes are written. The
  // caller has verified them against `digest`.
  void commit(const Digest& digest);
  // Waits until everything handed over is published.
  void flush();

 private:
  struct Op {
    enum Kind { kBegin, kData, kCommit } kind;
    DigestAlgorithm algorithm = DigestAlgorithm::kSha256;
    size_t piece = 0, size = 0;
    std::optional<Digest> digest;
  };

  void push(Op op);
  void run();
  void rethrow_failure();  // with mu_ held

  Store& store_;
  std::vector<std::vector<char>> pieces_;
  std::vector<size_t> free_pieces_;
  std::deque<Op> ops_;
  std::mutex mu_;
  std::condition_variable work_;  // ops_ gained an op, or stopping_
  std::condition_variable room_;  // a piece came free, or an op was done
  bool stopping_ = false;
  bool busy_ = false;  // the thread is carrying out an op
  std::exception_ptr failure_;
  std::optional<BlobWriter> writer_;  // touched by the thread only
  std::optional<size_t> lent_;        // the piece lend_piece() gave out
  std::thread thread_;
};

}  // namespace ferry::import

#include "daemon/import/writer_thread.h"

#include <cstring>
#include <utility>

namespace ferry::import {

WriterThread::WriterThread(Store& store) : store_(store), pieces_(kPieces) {
  for (size_t i = 0; i < kPieces; ++i) {
    pieces_[i].resize(kPieceBytes);
    free_pieces_.push_back(i);
  }
  thread_ = std::thread([this] { run(); });
}

WriterThread::~WriterThread() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    ops_.clear();  // abandoned: nothing more is written or published
  }
  work_.notify_all();
  thread_.join();
}

void WriterThread::rethrow_failure() {
  if (failure_) std::rethrow_exception(failure_);
}

void WriterThread::push(Op op) {
  {
    std::lock_guard lock(mu_);
    rethrow_failure();
    ops_.push_back(std::move(op));
  }
  work_.notify_one();
}

void WriterThread::begin(DigestAlgorithm algorithm) {
  push(Op{Op::kBegin, algorithm, 0, 0, std::nullopt});
}

std::span<char> WriterThread::lend_piece() {
  if (!lent_) {
    std::unique_lock lock(mu_);
    room_.wait(lock, [&] { return failure_ || !free_pieces_.empty(); });
    rethrow_failure();
    lent_ = free_pieces_.back();
    free_pieces_.pop_back();
  }
  return std::span<char>(pieces_[*lent_]);
}

void WriterThread::write(const void* data, size_t size) {
  const char* from = static_cast<const char*>(data);
  if (lent_ && from == pieces_[*lent_].data() && size <= kPieceBytes) {
    size_t piece = *std::exchange(lent_, std::nullopt);
    push(Op{Op::kData, DigestAlgorithm::kSha256, piece, size, std::nullopt});
    return;
  }
  while (size > 0) {
    std::span<char> piece = lend_piece();
    size_t n = std::min(size, piece.size());
    std::memcpy(piece.data(), from, n);
    write(piece.data(), n);
    from += n;
    size -= n;
  }
}

void WriterThread::commit(const Digest& digest) {
  push(Op{Op::kCommit, digest.algorithm(), 0, 0, digest});
}

void WriterThread::flush() {
  std::unique_lock lock(mu_);
  room_.wait(lock, [&] { return failure_ || (ops_.empty() && !busy_); });
  rethrow_failure();
}

void WriterThread::run() {
  while (true) {
    Op op;
    {
      std::unique_lock lock(mu_);
      work_.wait(lock, [&] { return stopping_ || !ops_.empty(); });
      if (ops_.empty()) break;  // stopping, nothing left
      op = std::move(ops_.front());
      ops_.pop_front();
      busy_ = !failure_;
    }
    if (busy_) {
      try {
        switch (op.kind) {
          case Op::kBegin: writer_.emplace(store_.begin_import_blob(op.algorithm)); break;
          case Op::kData: writer_->write(pieces_[op.piece].data(), op.size); break;
          case Op::kCommit:
            store_.add_unlinked_blob(*writer_, *op.digest);
            writer_.reset();
            break;
        }
      } catch (...) {
        std::lock_guard lock(mu_);
        failure_ = std::current_exception();
        writer_.reset();  // removes the staging file
      }
    }
    {
      std::lock_guard lock(mu_);
      if (op.kind == Op::kData) free_pieces_.push_back(op.piece);
      busy_ = false;
    }
    room_.notify_all();
  }
  writer_.reset();
}

}  // namespace ferry::import

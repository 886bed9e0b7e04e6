// One memory budget for every request body the server holds in memory at
// once (manifests, admin and token bodies), so the number of concurrent
// requests cannot grow the daemon's memory without bound. Bodies streamed to
// disk (blob uploads) take nothing from it.
#pragma once

#include <cstdint>
#include <mutex>

namespace ferry::http {

class BodyBudget {
 public:
  // `capacity`: bytes all reservations together may hold; 0 refuses every
  // reservation of one byte or more.
  explicit BodyBudget(uint64_t capacity) : capacity_(capacity) {}
  BodyBudget(const BodyBudget&) = delete;
  BodyBudget& operator=(const BodyBudget&) = delete;

  // Bytes held by one body until it is destroyed (RAII). A default one
  // holds nothing.
  class Reservation {
   public:
    Reservation() = default;
    Reservation(Reservation&& other) noexcept { *this = std::move(other); }
    Reservation& operator=(Reservation&& other) noexcept;
    ~Reservation() { release(); }
    uint64_t bytes() const { return bytes_; }
    void release();

   private:
    friend class BodyBudget;
    BodyBudget* budget_ = nullptr;
    uint64_t bytes_ = 0;
  };

  // Takes `bytes` from the budget, or returns false (and takes nothing) when
  // fewer than that are left. What `out` held is given back first; on
  // success it holds the new bytes.
  // Thread-safe.
  bool try_reserve(uint64_t bytes, Reservation& out);

  uint64_t capacity() const { return capacity_; }
  // Bytes reserved right now.
  uint64_t used() const;

 private:
  void give_back(uint64_t bytes);

  const uint64_t capacity_;
  mutable std::mutex mu_;
  uint64_t used_ = 0;
};

}  // namespace ferry::http

// One memory budget for every request body the server holds in memory at
// once (manifests, admin and token bodies), so the number of concurrent
// requests cannot grow the daemon's memory without bound. Bodies streamed to
// disk (blob uploads) take nothing from it. One client address may hold at
// most a share of it, so a few stalled bodies from one address cannot make
// every other client's manifest push wait.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

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
    std::string client_;
  };

  // Takes `bytes` from the budget, or returns false (and takes nothing) when
  // fewer than that are left. What `out` held is given back first; on
  // success it holds the new bytes.
  // Thread-safe.
  bool try_reserve(uint64_t bytes, Reservation& out) { return try_reserve(bytes, "", out); }
  // The same, for a body sent by `client` (an address; "" is not limited
  // per client): it may hold at most kClientShare of the capacity in all,
  // or any one body while it holds nothing else.
  bool try_reserve(uint64_t bytes, const std::string& client, Reservation& out);
  static constexpr unsigned kClientShare = 4;  // a quarter

  uint64_t capacity() const { return capacity_; }
  // Bytes reserved right now.
  uint64_t used() const;

 private:
  void give_back(uint64_t bytes, const std::string& client);

  const uint64_t capacity_;
  mutable std::mutex mu_;
  uint64_t used_ = 0;
  std::map<std::string, uint64_t> by_client_;  // clients holding bytes now
};

}  // namespace ferry::http

#include "daemon/http/body_budget.h"

#include <utility>

namespace ferry::http {

BodyBudget::Reservation& BodyBudget::Reservation::operator=(Reservation&& other) noexcept {
  if (this != &other) {
    release();
    budget_ = std::exchange(other.budget_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

void BodyBudget::Reservation::release() {
  if (budget_) budget_->give_back(bytes_);
  budget_ = nullptr;
  bytes_ = 0;
}

bool BodyBudget::try_reserve(uint64_t bytes, Reservation& out) {
  out.release();
  std::lock_guard lock(mu_);
  if (bytes > capacity_ - used_) return false;
  used_ += bytes;
  out.budget_ = this;
  out.bytes_ = bytes;
  return true;
}

uint64_t BodyBudget::used() const {
  std::lock_guard lock(mu_);
  return used_;
}

void BodyBudget::give_back(uint64_t bytes) {
  std::lock_guard lock(mu_);
  used_ -= bytes;
}

}  // namespace ferry::http

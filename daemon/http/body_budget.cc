#include "daemon/http/body_budget.h"

#include <algorithm>
#include <utility>

namespace ferry::http {

BodyBudget::Reservation& BodyBudget::Reservation::operator=(Reservation&& other) noexcept {
  if (this != &other) {
    release();
    budget_ = std::exchange(other.budget_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
    client_ = std::move(other.client_);
  }
  return *this;
}

void BodyBudget::Reservation::release() {
  if (budget_) budget_->give_back(bytes_, client_);
  budget_ = nullptr;
  bytes_ = 0;
}

bool BodyBudget::try_reserve(uint64_t bytes, const std::string& client, Reservation& out) {
  out.release();
  std::lock_guard lock(mu_);
  if (bytes > capacity_ - used_) return false;
  if (!client.empty()) {
    auto it = by_client_.find(client);
    uint64_t held = it == by_client_.end() ? 0 : it->second;
    if (held > 0 && bytes > capacity_ / kClientShare - std::min(held, capacity_ / kClientShare)) {
      return false;
    }
    if (bytes > 0) by_client_[client] = held + bytes;
  }
  used_ += bytes;
  out.budget_ = this;
  out.bytes_ = bytes;
  out.client_ = client;
  return true;
}

uint64_t BodyBudget::used() const {
  std::lock_guard lock(mu_);
  return used_;
}

void BodyBudget::give_back(uint64_t bytes, const std::string& client) {
  std::lock_guard lock(mu_);
  used_ -= bytes;
  if (client.empty()) return;
  auto it = by_client_.find(client);
  if (it == by_client_.end()) return;
  it->second -= std::min(it->second, bytes);
  if (it->second == 0) by_client_.erase(it);
}

}  // namespace ferry::http

#include "core/upload_ledger.h"

#include <stdexcept>

namespace ferry {
namespace {

bool under(std::string_view repository, std::string_view prefix) {
  if (prefix == "*") return true;
  if (repository.size() < prefix.size() || repository.substr(0, prefix.size()) != prefix) {
    return false;
  }
  return repository.size() == prefix.size() || repository[prefix.size()] == '/';
}

}  // namespace

uint64_t UploadLedger::View::held_under(std::string_view prefix) const {
  uint64_t sum = 0;
  for (const auto& [key, e] : ledger_.entries_) {
    if (under(e.repository, prefix)) sum += e.held();
  }
  return sum;
}

size_t UploadLedger::View::sessions_under(std::string_view prefix) const {
  size_t n = 0;
  for (const auto& [key, e] : ledger_.entries_) n += e.session && under(e.repository, prefix);
  return n;
}

uint64_t UploadLedger::View::held_by(std::string_view owner) const {
  uint64_t sum = 0;
  for (const auto& [key, e] : ledger_.entries_) {
    if (e.session && e.owner == owner) sum += e.held();
  }
  return sum;
}

size_t UploadLedger::View::sessions_of(std::string_view owner) const {
  size_t n = 0;
  for (const auto& [key, e] : ledger_.entries_) n += e.session && e.owner == owner;
  return n;
}

UploadLedger::Entry& UploadLedger::entry(const std::string& key) {
  auto it = entries_.find(key);
  if (it == entries_.end()) throw std::logic_error("no upload ledger entry " + key);
  return it->second;
}

void UploadLedger::open_session(const std::string& id, const std::string& repository,
                                const std::string& owner, const Admit& admit) {
  std::lock_guard lock(mu_);
  if (admit) admit(View(*this), Want{repository, owner, 0, true, true});
  entries_[id] = Entry{repository, owner, 0, 0, true};
}

void UploadLedger::restore_session(const std::string& id, const std::string& repository,
                                   uint64_t bytes) {
  std::lock_guard lock(mu_);
  entries_[id] = Entry{repository, "", bytes, bytes, true};
}

std::string UploadLedger::open_write(const std::string& repository, const std::string& owner) {
  std::lock_guard lock(mu_);
  std::string key = "write " + std::to_string(++next_write_);
  entries_[key] = Entry{repository, owner, 0, 0, false};
  return key;
}

uint64_t UploadLedger::grant(const std::string& key, uint64_t need, uint64_t want,
                             const Admit& admit, std::optional<uint64_t> release_to) {
  std::lock_guard lock(mu_);
  Entry& e = entry(key);
  uint64_t held = e.held();
  if (held >= need) return held;
  if (want < need) want = need;
  auto ask = [&](uint64_t total) {
    admit(View(*this), Want{e.repository, e.owner, total - held, false, e.session});
  };
  if (admit) {
    try {
      try {
        ask(want);
      } catch (...) {
        if (want == need) throw;
        // Not the whole step: exactly what this write needs now, or the refusal.
        want = need;
        ask(want);
      }
    } catch (...) {
      if (release_to) e.landed = e.granted = *release_to;
      throw;
    }
  }
  e.granted = want;
  return want;
}

void UploadLedger::landed(const std::string& key, uint64_t bytes) {
  std::lock_guard lock(mu_);
  if (auto it = entries_.find(key); it != entries_.end()) it->second.landed = bytes;
}

void UploadLedger::trim(const std::string& key) {
  std::lock_guard lock(mu_);
  if (auto it = entries_.find(key); it != entries_.end()) it->second.granted = it->second.landed;
}

void UploadLedger::remove(const std::string& key) {
  std::lock_guard lock(mu_);
  entries_.erase(key);
}

void UploadLedger::retain_sessions(const std::unordered_set<std::string>& ids) {
  std::lock_guard lock(mu_);
  std::erase_if(entries_,
                [&](const auto& kv) { return kv.second.session && !ids.count(kv.first); });
}

uint64_t UploadLedger::held_under(std::string_view prefix) const {
  std::lock_guard lock(mu_);
  return View(*this).held_under(prefix);
}

uint64_t UploadLedger::held_total() const {
  std::lock_guard lock(mu_);
  uint64_t sum = 0;
  for (const auto& [key, e] : entries_) sum += e.held();
  return sum;
}

}  // namespace ferry

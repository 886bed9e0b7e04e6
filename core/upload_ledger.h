// The bytes that writes in progress hold, in memory, under one lock: open
// upload sessions (what landed in their files, plus what a request in flight
// was allowed to write next) and whole writes in flight (a monolithic
// upload, a manifest). Quotas count these bytes as well as the stored
// content, and the limits on open sessions per user and namespace are
// checked against them (docs/access.md, "Quotas").
//
// The ledger is mechanism only: a write asks for bytes before it writes
// them, and an Admit callback the caller gives (the access rules, through
// the HTTP gate) decides under the ledger's lock, so two writers can never
// both take the last of a quota. Each grant is recorded before the lock is
// let go; published content is counted by the caller's own query before its
// entry is removed, so a write is briefly counted twice, never not at all.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace ferry {

class UploadLedger {
 public:
  // What an Admit callback is asked: may `owner` ("" when unknown, e.g. a
  // session older than this process) make the repository hold `adds` more
  // bytes, or (new_session, adds 0) open one more upload session there?
  struct Want {
    const std::string& repository;
    const std::string& owner;
    uint64_t adds = 0;
    bool new_session = false;
    bool session = true;  // false: a whole write in flight, not a session
  };

  // The ledger's contents, as an Admit callback sees them under the lock.
  // A repository is under `prefix` when it is the prefix or starts with it
  // and a '/' (how namespaces match repositories).
  class View {
   public:
    explicit View(const UploadLedger& ledger) : ledger_(ledger) {}
    // Bytes held by sessions and writes in flight under the prefix.
    uint64_t held_under(std::string_view prefix) const;
    size_t sessions_under(std::string_view prefix) const;
    // Bytes held by, and the number of, the owner's open sessions.
    uint64_t held_by(std::string_view owner) const;
    size_t sessions_of(std::string_view owner) const;

   private:
    const UploadLedger& ledger_;
  };

  // Throws (ferry::Error) to refuse; called with the ledger locked, so it
  // must not call back into the ledger.
  using Admit = std::function<void(const View&, const Want&)>;

  // A new session: asks admit (new_session) first; throws what it throws.
  void open_session(const std::string& id, const std::string& repository, const std::string& owner,
                    const Admit& admit);
  // A session found at start-up: `bytes` already in its file, owner unknown.
  void restore_session(const std::string& id, const std::string& repository, uint64_t bytes);
  // A whole write in flight; returns its key, to remove() when it is done.
  std::string open_write(const std::string& repository, const std::string& owner);

  // Raises key's grant to at least `need` bytes in all, and to `want`
  // (>= need) when admit allows that much; throws what admit throws when
  // not even `need` is allowed. When refused and `release_to` is given, the
  // entry then holds only that many bytes, in the same locked step (the
  // caller cuts its file back to them), so a concurrent writer is never
  // refused for bytes already on their way out. Nothing to do when the
  // grant covers need. Returns the grant. An unknown key throws
  // std::logic_error.
  uint64_t grant(const std::string& key, uint64_t need, uint64_t want, const Admit& admit,
                 std::optional<uint64_t> release_to = std::nullopt);
  // The session's file now holds `bytes` (after an append or a rollback).
  void landed(const std::string& key, uint64_t bytes);
  // A request ended: what it was granted but did not write is given back.
  void trim(const std::string& key);
  // The session or write is over (published, cancelled, expired).
  void remove(const std::string& key);
  // Drops session entries whose id is not in `ids` (sessions that another
  // process, ferryctl gc, removed); writes in flight stay.
  void retain_sessions(const std::unordered_set<std::string>& ids);

  // Bytes held in all (for tests and monitoring).
  uint64_t held_total() const;
  // Bytes held under the prefix now (View::held_under, for a check that
  // does not grant: an import counts what open uploads hold).
  uint64_t held_under(std::string_view prefix) const;

  // A whole write in flight (open_write), removed when this goes.
  class WriteHold {
   public:
    WriteHold(UploadLedger& ledger, const std::string& repository, const std::string& owner)
        : ledger_(ledger), key_(ledger.open_write(repository, owner)) {}
    WriteHold(const WriteHold&) = delete;
    WriteHold& operator=(const WriteHold&) = delete;
    ~WriteHold() { ledger_.remove(key_); }
    // As UploadLedger::grant, asking only when `need` is not covered yet.
    void reserve(uint64_t need, uint64_t want, const Admit& admit) {
      if (need > granted_) granted_ = ledger_.grant(key_, need, want, admit);
    }

   private:
    UploadLedger& ledger_;
    std::string key_;
    uint64_t granted_ = 0;
  };

 private:
  struct Entry {
    std::string repository;
    std::string owner;
    uint64_t landed = 0;
    uint64_t granted = 0;
    bool session = true;
    uint64_t held() const { return landed > granted ? landed : granted; }
  };
  Entry& entry(const std::string& key);

  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  uint64_t next_write_ = 0;
};

}  // namespace ferry

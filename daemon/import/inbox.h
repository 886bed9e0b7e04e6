// The inbox: a folder ferryd serve watches for bundles to import, so a box
// with nobody at a keyboard imports what is copied (or synced) into it.
//
// A bundle is NAME.ferry, or a split set NAME.001, NAME.002, ... . Hidden
// files and names ending in .partial, .part or .tmp are still being written
// by someone and are ignored. A bundle is touched only once its files have
// stopped changing for `settle`; a split set that turns out to be missing a
// volume or cut short is left where it is while files may still be arriving
// (`incomplete_wait`). Afterwards an imported bundle is deleted (or moved
// to imported/), a refused one moved to refused/ with NAME.reason beside it.
// A bundle refused because no trusted key signed it is moved back into the
// inbox, and so tried again, whenever the trust folder changes after it was
// refused (a signer's .pub added), also across restarts.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "core/store.h"
#include "core/unique_fd.h"
#include "daemon/import/importer.h"

namespace ferry::import {

struct InboxOptions {
  std::string dir;
  std::string trust_dir;
  std::string box_key;
  std::chrono::seconds settle{5};
  std::chrono::seconds incomplete_wait{600};
  bool keep_imported = false;
  ImportAccess access;
};

class Inbox {
 public:
  Inbox(Store& store, InboxOptions options);  // creates the folders, starts watching
  ~Inbox();                                   // stop(), then waits for the thread
  // Asks an import in progress to stop at its next block, and the watcher
  // to end; returns at once.
  void stop();
  Inbox(const Inbox&) = delete;
  Inbox& operator=(const Inbox&) = delete;

 private:
  // What a bundle's files looked like when last seen.
  struct Seen {
    std::string shape;  // names, sizes and mtimes
    std::chrono::steady_clock::time_point since;
    bool waiting = false;  // tried, looked incomplete; retry only when shape changes
  };

  enum class Next { kDone, kRetry, kWait };

  void run(std::stop_token stop);
  void scan();
  // Imports one bundle and tidies the inbox after it. `age` is the time
  // since its newest file last changed.
  Next handle(const std::vector<std::string>& files, std::chrono::seconds age);
  void move_aside(const std::vector<std::string>& files, const std::string& subdir,
                  const std::string& reason);
  // Moves bundles refused for an unknown signer before `trust_changed`
  // (nanoseconds since the epoch) back into the inbox.
  void retry_unknown_signers(int64_t trust_changed);

  Store& store_;
  InboxOptions options_;
  std::map<std::string, Seen> seen_;
  int64_t trust_seen_ = -1;  // the trust folder's last change retried for
  std::atomic<bool> cancel_{false};
  UniqueFd wake_;  // eventfd: stop() interrupts the watcher's wait
  std::jthread thread_;
};

}  // namespace ferry::import

// What a scrub is asked to do and what it found. The work itself is
// Store::scrub (core/store_scrub.cc); docs/storage.md explains it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace ferry {

struct ScrubOptions {
  // Bytes read per second at most, so pulls stay fast; 0: no limit.
  uint64_t rate = 0;
};

struct ScrubReport {
  struct Damaged {
    std::string digest;
    std::string reason;
  };
  uint64_t checked = 0;  // content files re-hashed
  uint64_t bytes = 0;
  std::vector<Damaged> damaged;                // found by this run, now quarantined
  uint64_t known_damaged = 0;                  // found before, not yet repaired
  std::vector<std::string> broken_references;  // "repo@manifest needs blob X, which is gone"
  std::chrono::milliseconds duration{0};
  bool stopped = false;  // asked to stop before the end

  bool clean() const { return damaged.empty() && known_damaged == 0 && broken_references.empty(); }
};

// One line for logs and the CLI.
std::string summarize(const ScrubReport& report);

}  // namespace ferry

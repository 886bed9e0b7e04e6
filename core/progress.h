// A one-line progress display for long transfers (pack, import): bytes done,
// percentage, rate and time left, redrawn at most a few times a second on a
// terminal and silent otherwise, so logs and scripts see only the summary.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace ferry {

class Progress {
 public:
  // Shown only when `wanted` and `out` is a terminal (FERRY_PROGRESS=1
  // forces it on, =0 off).
  Progress(std::string label, uint64_t total_bytes, bool wanted = true, FILE* out = stderr);
  ~Progress() { finish(); }
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void add(uint64_t bytes);
  // A short note shown after the figures ("3 blobs already here").
  void set_note(std::string note);
  // Draws the final figures and ends the line, so the summary that follows
  // starts on a line of its own.
  void finish();
  bool shown() const { return enabled_; }

 private:
  void draw(bool force);

  std::string label_;
  std::string note_;
  uint64_t total_;
  uint64_t done_ = 0;
  FILE* out_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace ferry

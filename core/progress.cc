#include "core/progress.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "core/printable.h"
#include "core/units.h"

namespace ferry {

Progress::Progress(std::string label, uint64_t total_bytes, bool wanted, FILE* out)
    : label_(std::move(label)), total_(total_bytes), out_(out) {
  const char* force = std::getenv("FERRY_PROGRESS");
  enabled_ = wanted && (force ? std::strcmp(force, "1") == 0 : isatty(fileno(out_)) == 1);
}

void Progress::add(uint64_t bytes) {
  done_ += bytes;
  draw(false);
}

void Progress::set_note(std::string note) {
  note_ = std::move(note);
  draw(false);
}

void Progress::draw(bool force) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (!force && now - last_draw_ < std::chrono::milliseconds(200)) return;
  last_draw_ = now;
  double seconds = std::chrono::duration<double>(now - start_).count();
  double rate = seconds > 0 ? static_cast<double>(done_) / seconds : 0;
  std::string eta = "--:--";
  if (rate > 0 && total_ >= done_) {
    auto left = static_cast<long>(static_cast<double>(total_ - done_) / rate);
    char buf[32];
    snprintf(buf, sizeof buf, "%ld:%02ld", left / 60, left % 60);
    eta = buf;
  }
  int percent =
      total_ ? static_cast<int>(100.0 * static_cast<double>(done_) / static_cast<double>(total_))
             : 100;
  std::fprintf(out_, "\r\033[K%s  %s / %s  %3d%%  %s/s  ETA %s%s%s", printable(label_).c_str(),
               format_size(done_).c_str(), format_size(total_).c_str(), percent,
               format_size(static_cast<uint64_t>(rate)).c_str(), eta.c_str(),
               note_.empty() ? "" : "  ", printable(note_).c_str());
  std::fflush(out_);
  drawn_ = true;
}

void Progress::finish() {
  if (!drawn_) return;
  draw(true);  // the final figures stay on screen, above the summary
  std::fputc('\n', out_);
  std::fflush(out_);
  drawn_ = false;
}

}  // namespace ferry

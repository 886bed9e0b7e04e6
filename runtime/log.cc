#include "runtime/log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <string>

#include "core/printable.h"

namespace ferry::log {
namespace {

std::atomic<Level> g_level{Level::kInfo};
const bool g_journal = std::getenv("JOURNAL_STREAM") != nullptr;
std::atomic<uint64_t> g_dropped{0};

void emit(Level level, const char* priority, const char* name, std::string_view message) {
  if (level < g_level.load(std::memory_order_relaxed)) return;
  std::string line;
  line.reserve(message.size() + 48);
  if (g_journal) {
    line += priority;  // journald adds its own timestamp
  } else {
    char stamp[32];
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    tm utc{};
    gmtime_r(&ts.tv_sec, &utc);
    size_t n = strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
    snprintf(stamp + n, sizeof stamp - n, ".%03ldZ ", ts.tv_nsec / 1000000);
    line += stamp;
  }
  line += name;
  line += ' ';
  // Control characters come from names others chose (a file dropped into
  // the inbox, a header): escaped, so no one can forge or split a log line.
  line += printable(message);
  line += '\n';
  // One write per line keeps lines whole when threads log at once.
  if (::write(STDERR_FILENO, line.data(), line.size()) < 0 && errno == EAGAIN) {
    g_dropped.fetch_add(1, std::memory_order_relaxed);
  }
}

}  // namespace

void never_block() {
  struct stat st {};
  if (::fstat(STDERR_FILENO, &st) != 0 || !S_ISSOCK(st.st_mode)) return;
  int flags = ::fcntl(STDERR_FILENO, F_GETFL);
  if (flags >= 0) ::fcntl(STDERR_FILENO, F_SETFL, flags | O_NONBLOCK);
}

uint64_t dropped() {
  return g_dropped.load(std::memory_order_relaxed);
}

void set_level(Level level) {
  g_level.store(level);
}

bool parse_level(std::string_view text, Level* out) {
  if (text == "debug")
    *out = Level::kDebug;
  else if (text == "info")
    *out = Level::kInfo;
  else if (text == "warn")
    *out = Level::kWarn;
  else if (text == "error")
    *out = Level::kError;
  else
    return false;
  return true;
}

void debug(std::string_view m) {
  emit(Level::kDebug, "<7>", "debug", m);
}
void info(std::string_view m) {
  emit(Level::kInfo, "<6>", "info", m);
}
void warn(std::string_view m) {
  emit(Level::kWarn, "<4>", "warn", m);
}
void error(std::string_view m) {
  emit(Level::kError, "<3>", "error", m);
}

}  // namespace ferry::log

// One-line log records on stderr. Under systemd (JOURNAL_STREAM is set) each
// line carries a <N> syslog-priority prefix so journald files it at the right
// level; on a terminal lines are plain.
#pragma once

#include <cstdint>
#include <string_view>

namespace ferry::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

void set_level(Level level);
// Parses "debug", "info", "warn" or "error"; false when unknown.
bool parse_level(std::string_view text, Level* out);

// When stderr is a socket (journald's stream), makes writes to it
// non-blocking: a stalled journal then costs log lines, counted by
// dropped(), never a request. Files and terminals are left as they are.
void never_block();
uint64_t dropped();

void debug(std::string_view message);
void info(std::string_view message);
void warn(std::string_view message);
void error(std::string_view message);

}  // namespace ferry::log

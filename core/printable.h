// Text that others chose (file names, list lines, request paths, user and
// repository names, bundle fields, annotations), made safe to put on one
// line of a log or a terminal. The logger (runtime/log.h) applies it to
// every line; printers to a terminal apply it to each such field.
#pragma once

#include <string>
#include <string_view>

namespace ferry {

// `text` with every control character (0x00-0x1f, 0x7f) and every byte that
// is not part of valid UTF-8 written as \xNN, and the C1 controls
// (U+0080-U+009F) and bidirectional overrides and isolates (U+202A-U+202E,
// U+2066-U+2069) written as \uNNNN, so it can neither split a line, drive a
// terminal, nor reorder what is shown. Other text, UTF-8 included, is kept.
// Applying it twice gives the same text as once.
std::string printable(std::string_view text);

}  // namespace ferry

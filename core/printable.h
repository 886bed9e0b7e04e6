// Text that others chose (file names, list lines, request paths), made safe
// to put on one line of a log or a terminal.
#pragma once

#include <string>
#include <string_view>

namespace ferry {

// `text` with every control character (0x00-0x1f, 0x7f) written as \xNN, so
// it can neither split a line nor drive a terminal. Other bytes are kept.
std::string printable(std::string_view text);

}  // namespace ferry

// The one-line failure message of every program (ferryd, ferryctl).
#pragma once

#include <string>

namespace ferry {

// Prints "<program>: <message>" on stderr and returns code.
int fail(int code, const std::string& message);

}  // namespace ferry

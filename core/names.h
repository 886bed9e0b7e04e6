// The OCI Distribution grammar for repository names and tags.
#pragma once

#include <string>
#include <string_view>

namespace ferry {

// <name>: path components of [a-z0-9]+ joined by '.', '_', '__' or runs of
// '-', separated by '/'; at most 255 characters. The grammar forbids '..',
// empty components and leading '/', which is what keeps names inside the store.
bool is_valid_repository_name(std::string_view name);
// <tag>: [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}
bool is_valid_tag(std::string_view tag);

// Throw NAME_INVALID with a message saying what the grammar is.
void check_repository_name(std::string_view name);
void check_tag(std::string_view tag);

}  // namespace ferry

// The OCI Distribution grammar for repository names and tags.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ferry {

// <name>: path components of [a-z0-9]+ joined by '.', '_', '__' or runs of
// '-', separated by '/'; at most 255 characters. The grammar forbids '..',
// empty components and leading '/', which is what keeps names inside the store.
bool is_valid_repository_name(std::string_view name);
// <tag>: [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}
bool is_valid_tag(std::string_view tag);

// The first path component under which an image from an upstream registry
// is kept on the box: the host lower-cased (DNS is case-insensitive), with
// ":PORT" written "_PORT", which the name grammar allows and a host name
// cannot contain, so the mapping is one-to-one ("Registry.local:5000" ->
// "registry.local_5000"). It is also how containerd's mirror parameter
// `?ns=HOST` is read. nullopt for what is no registry host in the
// containers/image reference grammar (IPv6 literals, '_', empty labels).
std::optional<std::string> upstream_namespace(std::string_view host);

// Throw NAME_INVALID with a message saying what the grammar is.
void check_repository_name(std::string_view name);
void check_tag(std::string_view tag);

}  // namespace ferry

// The admin API's endpoints under /ferry/v1/ (docs/access.md, "Admin API"),
// named once for both ends: ferryd's route table (daemon/api/admin_routes.cc)
// matches requests against them, ferryctl's RemoteAdmin fills them in.
// {NAME} stands for one path part; a last {NAME*} for one or more, joined by
// "/" (a namespace such as site/line1).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ferry::access::paths {

inline constexpr std::string_view kStatus = "status";
inline constexpr std::string_view kAudit = "audit";  // ?n=N&before=ID&user=&action=&...
inline constexpr std::string_view kStorage = "storage";
inline constexpr std::string_view kGc = "gc";
inline constexpr std::string_view kScrub = "scrub";
inline constexpr std::string_view kUsers = "users";
inline constexpr std::string_view kUser = "users/{name}";
inline constexpr std::string_view kPassword = "users/{name}/password";
inline constexpr std::string_view kTokens = "tokens";
inline constexpr std::string_view kToken = "tokens/{id}";
inline constexpr std::string_view kGrants = "grants";
inline constexpr std::string_view kGrant = "grants/{user}/{namespace*}";
inline constexpr std::string_view kNamespaces = "namespaces";
inline constexpr std::string_view kNamespace = "namespaces/{name*}";

// `pattern` with its {…} parts replaced by `args`, in order (escaped for a
// URL by the caller). Throws std::invalid_argument when the counts differ.
std::string fill(std::string_view pattern, const std::vector<std::string>& args);

}  // namespace ferry::access::paths

// The access tables as JSON, for the admin API under /ferry/v1/: ferryd
// writes these, ferryctl --registry reads them back into the same rows.
// Times are Unix seconds; absent optionals are null.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "access/rows.h"

namespace ferry::access {

void to_json(nlohmann::json& j, const UserRow& row);
void from_json(const nlohmann::json& j, UserRow& row);
void to_json(nlohmann::json& j, const TokenRow& row);
void from_json(const nlohmann::json& j, TokenRow& row);
void to_json(nlohmann::json& j, const GrantRow& row);
void from_json(const nlohmann::json& j, GrantRow& row);
void to_json(nlohmann::json& j, const NamespaceRow& row);
void from_json(const nlohmann::json& j, NamespaceRow& row);
void to_json(nlohmann::json& j, const AuditRow& row);
void from_json(const nlohmann::json& j, AuditRow& row);
// Only the fields being changed are present; "quota": null clears it.
void to_json(nlohmann::json& j, const NamespaceChange& change);
void from_json(const nlohmann::json& j, NamespaceChange& change);

}  // namespace ferry::access

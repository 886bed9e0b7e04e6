#include "access/json.h"

#include <nlohmann/json.hpp>

namespace ferry::access {
namespace {

template <typename T>
nlohmann::json or_null(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

template <typename T>
std::optional<T> optional_at(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || j.at(key).is_null()) return std::nullopt;
  return j.at(key).get<T>();
}

}  // namespace

void to_json(nlohmann::json& j, const UserRow& row) {
  j = {{"name", row.name}, {"createdAt", row.created_at}};
}
void from_json(const nlohmann::json& j, UserRow& row) {
  row.name = j.at("name").get<std::string>();
  row.created_at = j.at("createdAt").get<int64_t>();
}

void to_json(nlohmann::json& j, const TokenRow& row) {
  j = {{"id", row.id},
       {"user", row.user},
       {"description", row.description},
       {"createdAt", row.created_at},
       {"expiresAt", or_null(row.expires_at)},
       {"revokedAt", or_null(row.revoked_at)}};
}
void from_json(const nlohmann::json& j, TokenRow& row) {
  row.id = j.at("id").get<std::string>();
  row.user = j.at("user").get<std::string>();
  row.description = j.at("description").get<std::string>();
  row.created_at = j.at("createdAt").get<int64_t>();
  row.expires_at = optional_at<int64_t>(j, "expiresAt");
  row.revoked_at = optional_at<int64_t>(j, "revokedAt");
}

void to_json(nlohmann::json& j, const GrantRow& row) {
  j = {{"user", row.user}, {"namespace", row.name_space}, {"role", role_name(row.role)}};
}
void from_json(const nlohmann::json& j, GrantRow& row) {
  row.user = j.at("user").get<std::string>();
  row.name_space = j.at("namespace").get<std::string>();
  auto role = parse_role(j.at("role").get<std::string>());
  if (!role) throw std::runtime_error("unknown role in the registry's answer");
  row.role = *role;
}

void to_json(nlohmann::json& j, const NamespaceRow& row) {
  j = {{"name", row.name},
       {"anonymousPull", row.anonymous_pull},
       {"import", or_null(row.import_allowed)},
       {"quota", or_null(row.quota_bytes)},
       {"immutable", row.immutable}};
}
void from_json(const nlohmann::json& j, NamespaceRow& row) {
  row.name = j.at("name").get<std::string>();
  row.anonymous_pull = j.at("anonymousPull").get<bool>();
  row.import_allowed = optional_at<bool>(j, "import");
  row.quota_bytes = optional_at<uint64_t>(j, "quota");
  row.immutable = j.at("immutable").get<std::vector<std::string>>();
}

void to_json(nlohmann::json& j, const AuditRow& row) {
  j = {{"at", row.at},         {"actor", row.actor},   {"action", row.action},
       {"target", row.target}, {"client", row.client}, {"result", row.result},
       {"detail", row.detail}};
}
void from_json(const nlohmann::json& j, AuditRow& row) {
  row.at = j.at("at").get<int64_t>();
  for (auto [key, field] : {std::pair{"actor", &row.actor},
                            {"action", &row.action},
                            {"target", &row.target},
                            {"client", &row.client},
                            {"result", &row.result},
                            {"detail", &row.detail}}) {
    *field = j.at(key).get<std::string>();
  }
}

void to_json(nlohmann::json& j, const NamespaceChange& change) {
  j = nlohmann::json::object();
  if (change.anonymous_pull) j["anonymousPull"] = *change.anonymous_pull;
  if (change.import_allowed) j["import"] = *change.import_allowed;
  if (change.quota_bytes) j["quota"] = or_null(*change.quota_bytes);
  if (change.immutable) j["immutable"] = *change.immutable;
}
void from_json(const nlohmann::json& j, NamespaceChange& change) {
  if (j.contains("anonymousPull")) change.anonymous_pull = j.at("anonymousPull").get<bool>();
  if (j.contains("import")) change.import_allowed = j.at("import").get<bool>();
  if (j.contains("quota")) change.quota_bytes = optional_at<uint64_t>(j, "quota");
  if (j.contains("immutable")) change.immutable = j.at("immutable").get<std::vector<std::string>>();
}

}  // namespace ferry::access

#include "access/json.h"

#include <map>
#include <nlohmann/json.hpp>

namespace ferry::access {
namespace {

template <typename T>
nlohmann::json or_null(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

// A time in Unix seconds. Not get<int64_t>() alone: it converts a float
// such as 1e300 with a cast whose overflow is undefined (found by
// fuzz/admin_json_fuzz.cc).
int64_t seconds_at(const nlohmann::json& j, const char* key) {
  const nlohmann::json& v = j.at(key);
  if (!v.is_number_integer()) {
    throw nlohmann::json::type_error::create(302, std::string(key) + " must be an integer", &v);
  }
  return v.get<int64_t>();
}

std::optional<int64_t> optional_seconds_at(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || j.at(key).is_null()) return std::nullopt;
  return seconds_at(j, key);
}

}  // namespace

void to_json(nlohmann::json& j, const UserRow& row) {
  j = {{"name", row.name}, {"createdAt", row.created_at}};
}
void from_json(const nlohmann::json& j, UserRow& row) {
  row.name = j.at("name").get<std::string>();
  row.created_at = seconds_at(j, "createdAt");
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
  row.created_at = seconds_at(j, "createdAt");
  row.expires_at = optional_seconds_at(j, "expiresAt");
  row.revoked_at = optional_seconds_at(j, "revokedAt");
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

namespace {

// A namespace's settings on the wire: null is unset (follows "*"), and a
// quota is a number of bytes or "none".
constexpr const char* kAnonymousPull = "anonymousPull";
constexpr const char* kImport = "import";
constexpr const char* kQuota = "quota";
constexpr const char* kImmutable = "immutable";

nlohmann::json quota_json(const Quota& quota) {
  return quota ? nlohmann::json(*quota) : nlohmann::json("none");
}

Quota quota_from(const nlohmann::json& j) {
  if (j.is_string() && j.get<std::string>() == "none") return Quota();
  if (!j.is_number_unsigned()) {
    throw nlohmann::json::type_error::create(302, "quota must be a number of bytes or \"none\"",
                                             &j);
  }
  return j.get<uint64_t>();
}

void settings_to(nlohmann::json& j, const NamespaceSettings& set) {
  j[kAnonymousPull] = or_null(set.anonymous_pull);
  j[kImport] = or_null(set.import_allowed);
  j[kQuota] = set.quota ? quota_json(*set.quota) : nlohmann::json(nullptr);
  j[kImmutable] = or_null(set.immutable);
}

// Reads the settings present in j; those that are null go to *inherit.
void settings_from(const nlohmann::json& j, NamespaceSettings& set,
                   std::vector<NamespaceField>* inherit) {
  auto read = [&](const char* key, NamespaceField field, auto assign) {
    if (!j.contains(key)) return;
    if (j.at(key).is_null()) {
      if (inherit) inherit->push_back(field);
      return;
    }
    assign(j.at(key));
  };
  read(kAnonymousPull, NamespaceField::kAnonymousPull,
       [&](const nlohmann::json& v) { set.anonymous_pull = v.get<bool>(); });
  read(kImport, NamespaceField::kImport,
       [&](const nlohmann::json& v) { set.import_allowed = v.get<bool>(); });
  read(kQuota, NamespaceField::kQuota, [&](const nlohmann::json& v) { set.quota = quota_from(v); });
  read(kImmutable, NamespaceField::kImmutable,
       [&](const nlohmann::json& v) { set.immutable = v.get<std::vector<std::string>>(); });
}

}  // namespace

void to_json(nlohmann::json& j, const NamespaceRow& row) {
  j = {{"name", row.name}};
  settings_to(j, row.settings);
}
void from_json(const nlohmann::json& j, NamespaceRow& row) {
  row.name = j.at("name").get<std::string>();
  settings_from(j, row.settings, nullptr);
}

void to_json(nlohmann::json& j, const AuditRow& row) {
  j = {{"at", row.at},         {"actor", row.actor},   {"action", row.action},
       {"target", row.target}, {"client", row.client}, {"result", row.result},
       {"detail", row.detail}, {"id", row.id}};
}
void from_json(const nlohmann::json& j, AuditRow& row) {
  row.at = seconds_at(j, "at");
  for (auto [key, field] : {std::pair{"actor", &row.actor},
                            {"action", &row.action},
                            {"target", &row.target},
                            {"client", &row.client},
                            {"result", &row.result},
                            {"detail", &row.detail}}) {
    *field = j.at(key).get<std::string>();
  }
  // Older servers sent no id.
  if (j.contains("id") && j["id"].is_number_integer()) row.id = j["id"].get<int64_t>();
}

void to_json(nlohmann::json& j, const NamespaceChange& change) {
  j = nlohmann::json::object();
  settings_to(j, change.set);
  // Only what changes: drop the unset ones, then name the inherited ones.
  for (auto it = j.begin(); it != j.end();) it = it->is_null() ? j.erase(it) : std::next(it);
  static const std::map<NamespaceField, const char*> kKey = {
      {NamespaceField::kAnonymousPull, kAnonymousPull},
      {NamespaceField::kImport, kImport},
      {NamespaceField::kQuota, kQuota},
      {NamespaceField::kImmutable, kImmutable}};
  for (NamespaceField field : change.inherit) j[kKey.at(field)] = nullptr;
}
void from_json(const nlohmann::json& j, NamespaceChange& change) {
  // A misspelt setting must not pass as "change nothing".
  for (const auto& [key, value] : j.items()) {
    if (key != kAnonymousPull && key != kImport && key != kQuota && key != kImmutable) {
      throw nlohmann::json::other_error::create(
          501,
          "unknown setting '" + key.substr(0, 64) + "' (anonymousPull, import, quota, immutable)",
          &j);
    }
  }
  settings_from(j, change.set, &change.inherit);
}

}  // namespace ferry::access

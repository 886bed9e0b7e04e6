#include "ctl/admin.h"

#include <ctime>

namespace ferry::ctl {
namespace {

int64_t now_unix() {
  return static_cast<int64_t>(std::time(nullptr));
}

}  // namespace

void LocalAdmin::add_user(const std::string& name, const std::string& password) {
  a_.add_user(name, password);
}
void LocalAdmin::set_password(const std::string& name, const std::string& password) {
  a_.set_password(name, password);
}
void LocalAdmin::remove_user(const std::string& name) {
  a_.remove_user(name);
}
std::vector<access::UserRow> LocalAdmin::users() {
  return a_.users();
}
access::NewToken LocalAdmin::create_token(const std::string& user,
                                          std::optional<int64_t> expires_in_seconds,
                                          const std::string& description) {
  std::optional<int64_t> expires_at;
  if (expires_in_seconds) expires_at = now_unix() + *expires_in_seconds;
  return a_.create_token(user, expires_at, description);
}
std::vector<access::TokenRow> LocalAdmin::tokens() {
  return a_.tokens();
}
void LocalAdmin::revoke_token(const std::string& id) {
  a_.revoke_token(id, now_unix());
}
void LocalAdmin::grant(const std::string& user, const std::string& name_space, access::Role role) {
  a_.grant(user, name_space, role);
}
void LocalAdmin::revoke(const std::string& user, const std::string& name_space) {
  a_.revoke(user, name_space);
}
std::vector<access::GrantRow> LocalAdmin::grants() {
  return a_.grants();
}
void LocalAdmin::change_namespace(const std::string& name, const access::NamespaceChange& change) {
  a_.change_namespace(name, change);
}
void LocalAdmin::remove_namespace(const std::string& name) {
  a_.remove_namespace(name);
}
std::vector<access::NamespaceRow> LocalAdmin::namespaces() {
  return a_.namespaces();
}
std::vector<access::AuditRow> LocalAdmin::audit_log(int64_t limit) {
  return a_.audit_log(limit);
}

}  // namespace ferry::ctl

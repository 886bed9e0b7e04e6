// What ferryctl's access commands ask of a registry. LocalAdmin works on the
// data dir's database; RemoteAdmin (remote_admin.h) asks a running ferryd
// through its admin API. The commands are written once, against this.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "access/accounts.h"

namespace ferry::ctl {

class Admin {
 public:
  virtual ~Admin() = default;
  // All throw access::AccessError for a refused value, an existing or an
  // unknown name, like access::Accounts.
  virtual void add_user(const std::string& name, const std::string& password) = 0;
  virtual void set_password(const std::string& name, const std::string& password) = 0;
  virtual void remove_user(const std::string& name) = 0;
  virtual std::vector<access::UserRow> users() = 0;
  virtual access::NewToken create_token(const std::string& user,
                                        std::optional<int64_t> expires_in_seconds,
                                        const std::string& description) = 0;
  virtual std::vector<access::TokenRow> tokens() = 0;
  virtual void revoke_token(const std::string& id) = 0;
  virtual void grant(const std::string& user, const std::string& name_space, access::Role role) = 0;
  virtual void revoke(const std::string& user, const std::string& name_space) = 0;
  virtual std::vector<access::GrantRow> grants() = 0;
  virtual void change_namespace(const std::string& name, const access::NamespaceChange& change) = 0;
  virtual void remove_namespace(const std::string& name) = 0;
  virtual std::vector<access::NamespaceRow> namespaces() = 0;
  virtual std::vector<access::AuditRow> audit_log(int64_t limit) = 0;
};

// The data dir itself; the caller audits (it knows who runs ferryctl).
class LocalAdmin final : public Admin {
 public:
  explicit LocalAdmin(access::Accounts& accounts) : a_(accounts) {}
  void add_user(const std::string& name, const std::string& password) override;
  void set_password(const std::string& name, const std::string& password) override;
  void remove_user(const std::string& name) override;
  std::vector<access::UserRow> users() override;
  access::NewToken create_token(const std::string& user, std::optional<int64_t> expires_in_seconds,
                                const std::string& description) override;
  std::vector<access::TokenRow> tokens() override;
  void revoke_token(const std::string& id) override;
  void grant(const std::string& user, const std::string& name_space, access::Role role) override;
  void revoke(const std::string& user, const std::string& name_space) override;
  std::vector<access::GrantRow> grants() override;
  void change_namespace(const std::string& name, const access::NamespaceChange& change) override;
  void remove_namespace(const std::string& name) override;
  std::vector<access::NamespaceRow> namespaces() override;
  std::vector<access::AuditRow> audit_log(int64_t limit) override;

 private:
  access::Accounts& a_;
};

}  // namespace ferry::ctl

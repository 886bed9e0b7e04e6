// ferryctl --registry URL: access::Admin and the status through a running
// ferryd's admin API (/ferry/v1/, daemon/api/admin*.cc) instead of the
// data dir, for an admin who is not on the registry's host. libcurl, HTTP
// Basic; the login from --creds, $FERRYCTL_CREDS or podman's and docker's
// saved ones (client/saved_logins.h).
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

#include "access/admin.h"

namespace ferry::ctl {

struct RemoteOptions {
  std::string url;      // https://HOST:PORT (http:// for a registry without TLS)
  std::string ca_file;  // extra CA certificates (PEM) to trust; empty: the system's
  std::string user, secret;
  std::string credentials_from;  // where user and secret came from, for messages
};

// A refusal or failure that is not about the request's values.
class RemoteError : public std::runtime_error {
 public:
  RemoteError(int exit_code, const std::string& message)
      : std::runtime_error(message), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};
constexpr int kUnreachable = 10;  // no answer: connection, TLS or HTTP failure
constexpr int kRefused = 11;      // wrong credentials, or not an admin

// Fills in user and secret when not given: $FERRYCTL_CREDS (USER:SECRET),
// else the login podman or docker saved for the registry's host.
void find_remote_credentials(RemoteOptions& options);

class RemoteAdmin final : public access::Admin {
 public:
  explicit RemoteAdmin(RemoteOptions options);

  nlohmann::json status();
  void add_user(const std::string& name, const std::string& password) override;
  void set_password(const std::string& name, const std::string& password) override;
  void remove_user(const std::string& name) override;
  std::vector<access::UserRow> users() override;
  access::NewToken create_token(const access::TokenRequest& request) override;
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
  // One request; the answer's JSON (null for 204). Throws AccessError for
  // 400/404/409, RemoteError for everything else that is not 2xx.
  nlohmann::json call(const std::string& method, std::string_view path,
                      const nlohmann::json* body = nullptr);

  RemoteOptions options_;
};

}  // namespace ferry::ctl

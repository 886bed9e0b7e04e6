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
#include "base/error.h"

namespace ferry::ctl {

struct RemoteOptions {
  std::string url;      // https://HOST:PORT (http:// for a registry without TLS)
  std::string ca_file;  // extra CA certificates (PEM) to trust; empty: the system's
  std::string user, secret;
  std::string credentials_from;  // where user and secret came from, for messages
};

// A refusal or failure that is not about the request's values (those are
// AccessErrorKind): the remote domain of ferry::Error. ferryctl's exit code
// for each is in exit_code_of() (ctl/commands.h).
enum class RemoteErrorKind {
  kBadCredentials,  // FERRYCTL_CREDS is not USER:SECRET (exit 2)
  kClient,          // libcurl could not start (exit 1)
  kUnreachable,     // no answer: connection, TLS or HTTP failure (exit 10)
  kRefused,         // wrong credentials, or not an admin (exit 11)
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
  // A GET of `path_and_query` under /ferry/v1/ (the browsing endpoints, for
  // ferryctl ls): the answer's JSON. Throws as every call does (404:
  // AccessErrorKind::kUnknown).
  nlohmann::json get(std::string_view path_and_query);
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
  // One request; the answer's JSON (null for 204). Throws Error(AccessErrorKind) for
  // 400/404/409, Error(RemoteErrorKind) for everything else that is not 2xx.
  nlohmann::json call(const std::string& method, std::string_view path,
                      const nlohmann::json* body = nullptr);

  RemoteOptions options_;
};

}  // namespace ferry::ctl

template <>
struct ferry::ErrorDomainOf<ferry::ctl::RemoteErrorKind> {
  static constexpr ErrorDomain value = ErrorDomain::kRemote;
};

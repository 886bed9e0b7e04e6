#include "ctl/remote_admin.h"

#include <curl/curl.h>

#include <cstdlib>
#include <memory>

#include "access/admin_paths.h"
#include "access/json.h"
#include "client/curl_handle.h"
#include "client/saved_logins.h"

namespace ferry::ctl {
namespace {

using access::AccessErrorKind;
using nlohmann::json;
namespace paths = access::paths;

constexpr size_t kMaxAnswer = 16 << 20;

// A path segment as the URL needs it; the "/" of a namespace such as
// site/line1 stays a separator, which the API expects.
std::string segment(const std::string& s) {
  if (auto slash = s.find('/'); slash != std::string::npos) {
    return segment(s.substr(0, slash)) + "/" + segment(s.substr(slash + 1));
  }
  std::unique_ptr<char, decltype(&curl_free)> e(
      curl_easy_escape(nullptr, s.c_str(), static_cast<int>(s.size())), curl_free);
  return e ? std::string(e.get()) : s;
}

std::string message_of(const std::string& body, long status) {
  auto doc = json::parse(body, nullptr, false);
  if (doc.is_object() && doc.contains("errors") && doc["errors"].is_array() &&
      !doc["errors"].empty() && doc["errors"][0].is_object()) {
    return doc["errors"][0].value("message", "");
  }
  return "the registry answered HTTP " + std::to_string(status);
}

template <typename Row>
std::vector<Row> rows(const json& answer, const char* key) {
  return answer.at(key).get<std::vector<Row>>();
}

}  // namespace

void find_remote_credentials(RemoteOptions& options) {
  if (!options.user.empty()) return;
  if (const char* creds = std::getenv("FERRYCTL_CREDS"); creds && *creds) {
    std::string c = creds;
    auto colon = c.find(':');
    if (colon == std::string::npos) {
      throw Error(RemoteErrorKind::kBadCredentials,
                  "FERRYCTL_CREDS must be USER:PASSWORD or USER:TOKEN");
    }
    options.user = c.substr(0, colon);
    options.secret = c.substr(colon + 1);
    options.credentials_from = "FERRYCTL_CREDS";
    return;
  }
  if (auto saved = client::find_credentials(options.url)) {
    options.user = saved->username;
    options.secret = saved->password;
    options.credentials_from = saved->from;
  }
}

RemoteAdmin::RemoteAdmin(RemoteOptions options) : options_(std::move(options)) {
  while (!options_.url.empty() && options_.url.back() == '/') options_.url.pop_back();
  if (!client::curl_ready())
    throw Error(RemoteErrorKind::kClient, "libcurl could not be initialised");
}

json RemoteAdmin::call(const std::string& method, std::string_view path, const json* body) {
  client::CurlHandle curl(curl_easy_init());
  if (!curl) throw Error(RemoteErrorKind::kClient, "libcurl could not make a handle");
  const std::string url = options_.url + "/ferry/v1/" + std::string(path);
  std::string payload = body ? body->dump() : "";
  std::string answer;
  client::CurlHeaders headers(curl_slist_append(nullptr, "Content-Type: application/json"));
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  if (body) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, payload.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(payload.size()));
  }
  if (!options_.user.empty()) {
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(c, CURLOPT_USERNAME, options_.user.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, options_.secret.c_str());
  }
  if (!options_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_file.c_str());
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(
      c, CURLOPT_WRITEFUNCTION, +[](char* data, size_t, size_t n, void* out) -> size_t {
        auto* s = static_cast<std::string*>(out);
        if (s->size() + n > kMaxAnswer) return 0;  // aborts the transfer
        s->append(data, n);
        return n;
      });
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
  char error[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  if (CURLcode rc = curl_easy_perform(c); rc != CURLE_OK) {
    throw Error(
        RemoteErrorKind::kUnreachable,
        "cannot reach " + options_.url + ": " + (*error ? error : curl_easy_strerror(rc)) +
            (rc == CURLE_PEER_FAILED_VERIFICATION ? " (give the registry's CA with --ca-cert)"
                                                  : ""));
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 200 && status < 300) {
    if (status == 204 || answer.empty()) return json();
    auto doc = json::parse(answer, nullptr, false);
    if (doc.is_discarded()) {
      throw Error(RemoteErrorKind::kUnreachable,
                  url + " did not answer JSON; is it a Ferry registry?");
    }
    return doc;
  }
  std::string why = message_of(answer, status);
  switch (status) {
    case 400: throw Error(AccessErrorKind::kInvalid, why);
    case 404: throw Error(AccessErrorKind::kUnknown, why);
    case 409: throw Error(AccessErrorKind::kExists, why);
    case 401:
      throw Error(RemoteErrorKind::kRefused,
                  options_.user.empty()
                      ? "the registry wants a login: set FERRYCTL_CREDS=USER:PASSWORD "
                        "or give --creds"
                      : "the registry refused the login of '" + options_.user + "' (from " +
                            options_.credentials_from + "): " + why);
    case 403: throw Error(RemoteErrorKind::kRefused, why);
    default: throw Error(RemoteErrorKind::kUnreachable, url + ": " + why);
  }
}

json RemoteAdmin::status() {
  return call("GET", paths::kStatus);
}
json RemoteAdmin::get(std::string_view path_and_query) {
  return call("GET", path_and_query);
}
void RemoteAdmin::add_user(const std::string& name, const std::string& password) {
  json body{{"name", name}, {"password", password}};
  call("POST", paths::kUsers, &body);
}
void RemoteAdmin::set_password(const std::string& name, const std::string& password) {
  json body{{"password", password}};
  call("PUT", paths::fill(paths::kPassword, {segment(name)}), &body);
}
void RemoteAdmin::remove_user(const std::string& name) {
  call("DELETE", paths::fill(paths::kUser, {segment(name)}));
}
std::vector<access::UserRow> RemoteAdmin::users() {
  return rows<access::UserRow>(call("GET", paths::kUsers), "users");
}
access::NewToken RemoteAdmin::create_token(const access::TokenRequest& request) {
  json body{{"user", request.user}, {"description", request.description}};
  if (request.lifetime) body["expiresIn"] = request.lifetime->count();
  json answer = call("POST", paths::kTokens, &body);
  access::NewToken token;
  token.id = answer.at("id").get<std::string>();
  token.secret = answer.at("secret").get<std::string>();
  const json& expires = answer.at("expiresAt");
  if (!expires.is_null()) {
    // Not get<int64_t>() on any number: a float such as 1e300 would be cast
    // with undefined overflow.
    if (!expires.is_number_integer()) {
      throw json::type_error::create(302, "expiresAt must be an integer", &expires);
    }
    token.expires_at = expires.get<int64_t>();
  }
  return token;
}
std::vector<access::TokenRow> RemoteAdmin::tokens() {
  return rows<access::TokenRow>(call("GET", paths::kTokens), "tokens");
}
void RemoteAdmin::revoke_token(const std::string& id) {
  call("DELETE", paths::fill(paths::kToken, {segment(id)}));
}
void RemoteAdmin::grant(const std::string& user, const std::string& name_space, access::Role role) {
  json body{{"role", access::role_name(role)}};
  call("PUT", paths::fill(paths::kGrant, {segment(user), segment(name_space)}), &body);
}
void RemoteAdmin::revoke(const std::string& user, const std::string& name_space) {
  call("DELETE", paths::fill(paths::kGrant, {segment(user), segment(name_space)}));
}
std::vector<access::GrantRow> RemoteAdmin::grants() {
  return rows<access::GrantRow>(call("GET", paths::kGrants), "grants");
}
void RemoteAdmin::change_namespace(const std::string& name, const access::NamespaceChange& change) {
  json body = change;
  call("PATCH", paths::fill(paths::kNamespace, {segment(name)}), &body);
}
void RemoteAdmin::remove_namespace(const std::string& name) {
  call("DELETE", paths::fill(paths::kNamespace, {segment(name)}));
}
std::vector<access::NamespaceRow> RemoteAdmin::namespaces() {
  return rows<access::NamespaceRow>(call("GET", paths::kNamespaces), "namespaces");
}
std::vector<access::AuditRow> RemoteAdmin::audit_log(int64_t limit) {
  return rows<access::AuditRow>(
      call("GET", std::string(paths::kAudit) + "?n=" + std::to_string(limit)), "entries");
}

}  // namespace ferry::ctl

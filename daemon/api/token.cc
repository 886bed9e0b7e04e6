#include "daemon/api/token.h"

#include "daemon/api/small_body.h"
#include "daemon/http/form.h"

namespace ferry::api {
namespace {

constexpr size_t kMaxForm = 16 * 1024;

// POST /ferry/v1/token: grant_type=password&username=..&password=..&scope=..
// (scope repeated, or several separated by spaces). ferryd issues no
// refresh tokens, so it takes no other grant; a client that gets 400 here
// falls back to GET with HTTP Basic.
http::Response password_grant(Gate& gate, const Caller& caller, const std::string& body) {
  auto form = http::parse_form(body);
  if (!form) {
    throw Error(ErrorCode::kInvalid,
                "the token request is not a form (application/x-www-form-urlencoded)");
  }
  auto grant = http::form_value(*form, "grant_type");
  if (grant != "password") {
    throw Error(ErrorCode::kInvalid,
                "grant_type '" + grant.value_or("").substr(0, 64) +
                    "' is not supported: ferryd takes grant_type=password (it issues no refresh "
                    "tokens), or a GET with HTTP Basic credentials");
  }
  auto user = http::form_value(*form, "username");
  auto password = http::form_value(*form, "password");
  if (!user || user->empty() || !password) {
    throw Error(ErrorCode::kInvalid, "a password grant needs a username and a password");
  }
  Caller who = gate.log_in(caller, *user, *password);
  std::vector<std::string> scopes;
  for (const auto& [name, value] : *form) {
    if (name == "scope") scopes.push_back(value);
  }
  return http::Response::json(200, gate.issue_token(who, scopes));
}

}  // namespace

ExchangePtr handle_token(Gate& gate, const Caller& caller, const http::Request& req) {
  if (req.method() == "GET" || req.method() == "HEAD") {
    return answer(http::Response::json(200, gate.issue_token(caller, req.query_values("scope"))));
  }
  if (req.method() != "POST") method_not_allowed(req, "GET, POST");
  return std::make_unique<SmallBody>(
      kMaxForm, "a token request",
      [&gate, caller](const std::string& body) { return password_grant(gate, caller, body); });
}

}  // namespace ferry::api

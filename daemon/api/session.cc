#include "daemon/api/session.h"

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "core/json_strict.h"
#include "daemon/api/small_body.h"

namespace ferry::api {
namespace {

using nlohmann::json;

constexpr size_t kMaxBody = 8 * 1024;

// What the caller administers, as the admin API rules (Gate::admin_scope);
// nothing for an anonymous caller or one who administers nothing.
json admin_json(Gate& gate, const Caller& caller) {
  try {
    AdminScope scope = gate.admin_scope(caller);
    return {{"everything", scope.everything}, {"namespaces", scope.namespaces}};
  } catch (const Error&) {
    return {{"everything", false}, {"namespaces", json::array()}};
  }
}

// "ferry_session=VALUE; ...": Secure when the client reaches us over HTTPS
// (ferryd's own TLS, or public_url or a trusted proxy saying https).
std::string cookie_header(Gate& gate, const http::Request& req, const std::string& value,
                          int64_t max_age) {
  std::string c = "ferry_session=" + value +
                  "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age);
  if (gate.origin_of(req).rfind("https://", 0) == 0) c += "; Secure";
  return c;
}

std::string text_field(const json& body, const char* key) {
  if (!body.contains(key) || !body[key].is_string() || body[key].get<std::string>().empty()) {
    throw Error(ErrorCode::kInvalid,
                std::string("the body must be {\"user\": NAME, \"password\": PASSWORD or robot "
                            "token}; \"") +
                    key + "\" is missing or not a non-empty string");
  }
  return body[key].get<std::string>();
}

http::Response log_in(Gate& gate, Caller caller, const http::Request& req,
                      const std::string& text) {
  StrictJson parsed = parse_json_strict(text);
  if (!parsed.ok() || !parsed.value.is_object()) {
    throw Error(ErrorCode::kInvalid, "the body must be one JSON object {\"user\", \"password\"}");
  }
  std::string user = text_field(parsed.value, "user");
  std::string secret = text_field(parsed.value, "password");
  if (!gate.login_required()) {
    throw Error(ErrorCode::kInvalid,
                "this box has no users to log in as: in the development default (loopback, no "
                "users) the console needs no login; otherwise create the first admin with "
                "ferryctl --data-dir DIR user add NAME");
  }
  // A session does not follow a token's revocation or expiry, and robot
  // tokens are for clients and scripts (as Harbor's robot accounts are).
  if (secret.rfind("ferry_", 0) == 0) {
    throw Error(ErrorCode::kInvalid,
                "robot tokens are for registry clients and scripts, not the console: log in "
                "with the user's password");
  }
  // The same argon2id check, throttling and audit of failures as HTTP Basic.
  caller = gate.log_in(std::move(caller), user, secret);
  auto session = gate.start_session(caller);
  gate.audit(caller, "login", user, "ok", "console session");
  json out{{"user", session.row.user},
           {"csrf", session.row.csrf},
           {"expiresAt", session.row.expires_at},
           {"admin", admin_json(gate, caller)}};
  http::Response r = http::Response::json(200, json_text(out));
  r.header("Set-Cookie", cookie_header(gate, req, session.cookie, gate.session_ttl().count()));
  r.header("Cache-Control", "no-store");
  return r;
}

http::Response who(Gate& gate, const Caller& caller) {
  json out{{"user", caller.user ? json(*caller.user) : json()},
           {"csrf", caller.session ? json(caller.session->csrf) : json()},
           {"expiresAt", caller.session ? json(caller.session->expires_at) : json()},
           {"loginRequired", gate.login_required()},
           {"admin", admin_json(gate, caller)}};
  http::Response r = http::Response::json(200, json_text(out));
  r.header("Cache-Control", "no-store");
  return r;
}

http::Response log_out(Gate& gate, const Caller& caller, const http::Request& req) {
  if (auto cookie = session_cookie(req)) {
    gate.end_session(*cookie);
    if (caller.session) gate.audit(caller, "logout", *caller.user, "ok", "console session");
  }
  http::Response r = http::Response::empty(204);
  r.header("Set-Cookie", cookie_header(gate, req, "", 0));
  return r;
}

}  // namespace

ExchangePtr handle_session(Gate& gate, const Caller& caller, const http::Request& req) {
  std::string_view m = req.method();
  if (m == "GET" || m == "HEAD") return answer(who(gate, caller));
  if (m == "DELETE") return answer(log_out(gate, caller, req));
  if (m != "POST") method_not_allowed(req, "GET, POST, DELETE");
  // The body is read after the router returns: hold copies.
  return std::make_unique<SmallBody>(kMaxBody, "a login body",
                                     [&gate, caller, copy = req](const std::string& body) {
                                       return log_in(gate, caller, copy, body);
                                     });
}

}  // namespace ferry::api

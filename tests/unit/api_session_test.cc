// The web console's login (docs/console.md, "Sessions"): the session cookie,
// its CSRF token and Origin check, and when a session ends. Driven in
// process through the real router and gate.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "access/accounts.h"
#include "tests/support/in_process.h"

namespace ferry::testing {
namespace {

constexpr const char* kPassword = "correct horse";
constexpr const char* kHost = "box:5000";
constexpr const char* kOrigin = "http://box:5000";

RegistryOptions gated(std::chrono::seconds ttl = std::chrono::seconds(12 * 3600)) {
  RegistryOptions options;
  options.gate = true;
  options.session_ttl = ttl;
  return options;
}

std::string login_body(const std::string& user, const std::string& password) {
  return nlohmann::json{{"user", user}, {"password", password}}.dump();
}

struct Session {
  std::string cookie;  // "ferry_session=..."
  std::string csrf;
  Reply reply;
};

class ApiSession : public ::testing::Test {
 protected:
  void SetUp() override { setup(api_); }

  static void setup(InProcess& api) { api.add_console_users(kPassword); }

  static Session log_in(InProcess& api, const std::string& user,
                        const std::string& password = kPassword) {
    Session s;
    s.reply = api.post("/ferry/v1/session", login_body(user, password), {{"Host", kHost}});
    auto set = s.reply.header("Set-Cookie");
    if (s.reply.status == 200 && set) {
      s.cookie = set->substr(0, set->find(';'));
      s.csrf = s.reply.json().value("csrf", "");
    }
    return s;
  }

  Headers with(const Session& s, bool csrf = true) {
    Headers h{{"Host", kHost}, {"Cookie", "theme=dark; " + s.cookie}};
    if (csrf) h.emplace_back("X-Ferry-CSRF", s.csrf);
    return h;
  }

  // A change an admin may make: adding a user.
  Reply add_user(const Headers& h, const std::string& name) {
    std::string body = nlohmann::json{{"name", name}, {"password", "long enough pass"}}.dump();
    return api_.post("/ferry/v1/users", body, h);
  }

  InProcess api_{gated()};
};

TEST_F(ApiSession, LoginSetsAHardenedCookieAndTellsWhoAndWhatTheyAdminister) {
  Session s = log_in(api_, "root");
  ASSERT_EQ(s.reply.status, 200u) << s.reply.body;
  std::string set = *s.reply.header("Set-Cookie");
  EXPECT_EQ(set.rfind("ferry_session=", 0), 0u) << set;
  EXPECT_EQ(s.cookie.size(), std::string("ferry_session=").size() + 64) << "256 random bits";
  for (const char* flag : {"; Path=/", "; HttpOnly", "; SameSite=Strict", "; Max-Age=43200"}) {
    EXPECT_NE(set.find(flag), std::string::npos) << flag << " in " << set;
  }
  EXPECT_EQ(set.find("Secure"), std::string::npos) << "plain HTTP: " << set;
  auto j = s.reply.json();
  EXPECT_EQ(j["user"], "root");
  EXPECT_EQ(j["csrf"].get<std::string>().size(), 64u);
  EXPECT_GT(j["expiresAt"].get<int64_t>(), std::time(nullptr) + 43000);
  EXPECT_EQ(j["admin"]["everything"], true);
  EXPECT_EQ(s.reply.header("X-Frame-Options"), "DENY");
  EXPECT_EQ(s.reply.header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(s.reply.header("Referrer-Policy"), "no-referrer");

  Reply who = api_.get("/ferry/v1/session", with(s, false));
  ASSERT_EQ(who.status, 200u) << who.body;
  EXPECT_EQ(who.json()["user"], "root");
  EXPECT_EQ(who.json()["csrf"], s.csrf);
  EXPECT_EQ(who.json()["loginRequired"], true);
  // The cookie works for the admin API's reads, like Basic does.
  EXPECT_EQ(api_.get("/ferry/v1/users", with(s, false)).status, 200u);
  auto audit = api_.get("/ferry/v1/audit?action=login&result=ok", with(s, false)).json();
  ASSERT_FALSE(audit["entries"].empty()) << audit.dump();
  EXPECT_EQ(audit["entries"][0]["actor"], "root");
}

TEST_F(ApiSession, NamespaceAdminAndReaderAreToldWhatTheyAdminister) {
  auto lead = log_in(api_, "lead").reply.json();
  EXPECT_EQ(lead["admin"]["everything"], false);
  EXPECT_EQ(lead["admin"]["namespaces"], nlohmann::json::array({"team"}));
  Session viewer = log_in(api_, "viewer");
  ASSERT_EQ(viewer.reply.status, 200u);
  EXPECT_EQ(viewer.reply.json()["admin"]["namespaces"], nlohmann::json::array());
  EXPECT_API_ERROR(api_.get("/ferry/v1/users", with(viewer, false)), 403u, "DENIED");
}

TEST_F(ApiSession, AnonymousAndTheOpenDefaultAreToldWhereTheyStand) {
  auto anon = api_.get("/ferry/v1/session").json();
  EXPECT_TRUE(anon["user"].is_null());
  EXPECT_TRUE(anon["csrf"].is_null());
  EXPECT_EQ(anon["loginRequired"], true);
  EXPECT_EQ(anon["admin"]["everything"], false);

  InProcess open{gated()};  // loopback, no users: the development default
  auto dev = open.get("/ferry/v1/session").json();
  EXPECT_EQ(dev["loginRequired"], false);
  EXPECT_EQ(dev["admin"]["everything"], true);
  EXPECT_API_ERROR(open.post("/ferry/v1/session", login_body("root", kPassword)), 400u, "INVALID");
}

TEST_F(ApiSession, TheCookieIsSecureUnderTls) {
  RegistryOptions options = gated();
  options.forwarding.tls = true;
  InProcess tls{options};
  setup(tls);
  Session s = log_in(tls, "root");
  ASSERT_EQ(s.reply.status, 200u) << s.reply.body;
  EXPECT_NE(s.reply.header("Set-Cookie")->find("; Secure"), std::string::npos);
}

TEST_F(ApiSession, WrongCredentialsAre401AndThrottledLikeBasic) {
  for (const char* bad : {"", "{}", "[]", R"({"user":"root"})", R"({"user":1,"password":"x"})"}) {
    SCOPED_TRACE(bad);
    EXPECT_API_ERROR(api_.post("/ferry/v1/session", bad), 400u, "INVALID");
  }
  for (int i = 0; i < 6; ++i) {
    Session s = log_in(api_, "root", "wrong password");
    EXPECT_API_ERROR(s.reply, 401u, "UNAUTHORIZED");
    EXPECT_FALSE(s.reply.header("Set-Cookie")) << "no cookie for a failed login";
  }
  // Throttled now, even with the right password.
  EXPECT_API_ERROR(log_in(api_, "root").reply, 429u, "TOOMANYREQUESTS");
  Session other = log_in(api_, "nobody", kPassword);
  EXPECT_EQ(other.reply.status, 429u) << "the client address is throttled too";
}

TEST_F(ApiSession, ChangesThroughTheCookieNeedTheCsrfTokenAndOurOrigin) {
  Session s = log_in(api_, "root");
  ASSERT_EQ(s.reply.status, 200u);
  Reply missing = add_user(with(s, false), "u1");
  EXPECT_API_ERROR(missing, 403u, "DENIED");
  EXPECT_NE(missing.body.find("X-Ferry-CSRF"), std::string::npos) << missing.body;
  EXPECT_EQ(missing.header("X-Frame-Options"), "DENY") << "refusals carry them too";
  Headers wrong = with(s, false);
  wrong.emplace_back("X-Ferry-CSRF", std::string(64, 'a'));
  EXPECT_API_ERROR(add_user(wrong, "u1"), 403u, "DENIED");
  Headers evil = with(s);
  evil.emplace_back("Origin", "http://evil.example");
  Reply cross = add_user(evil, "u1");
  EXPECT_API_ERROR(cross, 403u, "DENIED");
  EXPECT_NE(cross.body.find("evil.example"), std::string::npos) << cross.body;
  EXPECT_EQ(api_.get("/ferry/v1/users", with(s, false)).json()["users"].size(), 3u)
      << "nothing was added";

  EXPECT_EQ(add_user(with(s), "u1").status, 204u);
  Headers ours = with(s);
  ours.emplace_back("Origin", kOrigin);
  EXPECT_EQ(add_user(ours, "u2").status, 204u);
  // Basic callers need no token, but a browser may attach saved Basic
  // credentials to another site's request: a foreign Origin is refused.
  Headers basic_ok{{"Authorization", basic("root", kPassword)}};
  EXPECT_EQ(add_user(basic_ok, "u3").status, 204u);
  Headers basic_evil{{"Authorization", basic("root", kPassword)}, {"Origin", "http://evil"}};
  EXPECT_API_ERROR(add_user(basic_evil, "u4"), 403u, "DENIED");
  // A forged login from another site is refused too.
  Reply forged = api_.post("/ferry/v1/session", login_body("root", kPassword),
                           {{"Host", kHost}, {"Origin", "http://evil.example"}});
  EXPECT_API_ERROR(forged, 403u, "DENIED");
}

TEST_F(ApiSession, LogoutEndsTheSessionAndClearsTheCookie) {
  Session s = log_in(api_, "root");
  EXPECT_API_ERROR(api_.del("/ferry/v1/session", with(s, false)), 403u, "DENIED");
  Reply out = api_.del("/ferry/v1/session", with(s));
  ASSERT_EQ(out.status, 204u) << out.body;
  EXPECT_NE(out.header("Set-Cookie")->find("ferry_session=; "), std::string::npos);
  EXPECT_NE(out.header("Set-Cookie")->find("Max-Age=0"), std::string::npos);
  // The old cookie is anonymous for reads, and refused for changes.
  EXPECT_TRUE(api_.get("/ferry/v1/session", with(s)).json()["user"].is_null());
  EXPECT_API_ERROR(api_.get("/ferry/v1/users", with(s)), 401u, "UNAUTHORIZED");
  EXPECT_API_ERROR(add_user(with(s), "u1"), 401u, "UNAUTHORIZED");
  // Logging out again, or in again with the stale cookie still sent, works.
  EXPECT_EQ(api_.del("/ferry/v1/session", with(s)).status, 204u);
  Reply again = api_.post("/ferry/v1/session", login_body("root", kPassword), with(s));
  EXPECT_EQ(again.status, 200u) << again.body;
}

TEST_F(ApiSession, APasswordChangeOrRemovalEndsTheUsersSessions) {
  Session lead = log_in(api_, "lead");
  Session viewer = log_in(api_, "viewer");
  Session root = log_in(api_, "root");
  api_.with_accounts([](access::Accounts& a) { a.set_password("lead", "another password"); });
  EXPECT_TRUE(api_.get("/ferry/v1/session", with(lead)).json()["user"].is_null());
  EXPECT_API_ERROR(api_.patch("/ferry/v1/namespaces/team", R"({"anonymousPull":true})", with(lead)),
                   401u, "UNAUTHORIZED");
  // Through the API too, and the others' sessions stay.
  EXPECT_EQ(api_.del("/ferry/v1/users/viewer", with(root)).status, 204u);
  EXPECT_TRUE(api_.get("/ferry/v1/session", with(viewer)).json()["user"].is_null());
  EXPECT_EQ(api_.get("/ferry/v1/session", with(root)).json()["user"], "root");
}

TEST_F(ApiSession, ASessionExpiresAfterItsTtl) {
  InProcess brief{gated(std::chrono::seconds(1))};
  setup(brief);
  Session s = log_in(brief, "root");
  ASSERT_EQ(s.reply.status, 200u);
  EXPECT_NE(s.reply.header("Set-Cookie")->find("Max-Age=1"), std::string::npos);
  EXPECT_EQ(brief.get("/ferry/v1/session", with(s)).json()["user"], "root");
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  EXPECT_TRUE(brief.get("/ferry/v1/session", with(s)).json()["user"].is_null());
  EXPECT_API_ERROR(brief.post("/ferry/v1/users", login_body("u1", "long enough password"), with(s)),
                   401u, "UNAUTHORIZED");
}

TEST_F(ApiSession, SecurityHeadersOnEveryFerryAnswerOnly) {
  Reply missing = api_.get("/ferry/v1/nothing-here");
  EXPECT_EQ(missing.header("X-Frame-Options"), "DENY");
  EXPECT_EQ(missing.header("Referrer-Policy"), "no-referrer");
  EXPECT_FALSE(api_.get("/v2/").header("X-Frame-Options")) << "registry clients need none";
}

// A session would not follow a token's revocation or expiry: robot tokens
// are for clients and scripts, and the console takes passwords only.
TEST_F(ApiSession, ARobotTokenDoesNotOpenAConsoleSession) {
  Reply made = api_.post("/ferry/v1/tokens", R"({"user":"viewer","expiresIn":3600})",
                         {{"Authorization", basic("root", kPassword)}});
  ASSERT_EQ(made.status, 200u) << made.body;
  std::string secret = made.json()["secret"];
  EXPECT_EQ(api_.get("/v2/team/x/tags/list", {{"Authorization", basic("viewer", secret)}}).status,
            404u)
      << "the token itself works for clients";
  Session s = log_in(api_, "viewer", secret);
  EXPECT_API_ERROR(s.reply, 400u, "INVALID");
  EXPECT_NE(s.reply.body.find("password"), std::string::npos) << s.reply.body;
  EXPECT_FALSE(s.reply.header("Set-Cookie"));
}

// Every /ferry/v1/ answer is kept out of caches; the console's login too.
TEST_F(ApiSession, ApiAnswersAreNotCached) {
  Headers root{{"Authorization", basic("root", kPassword)}};
  for (const char* path : {"/ferry/v1/users", "/ferry/v1/tokens", "/ferry/v1/audit",
                           "/ferry/v1/catalog", "/ferry/v1/nothing"}) {
    SCOPED_TRACE(path);
    EXPECT_EQ(api_.get(path, root).header("Cache-Control"), "no-store");
  }
}

// In the open development default (loopback, no users) nobody logs in, so
// another site's page could change the box through the visitor's browser,
// or reach it under its own name by DNS rebinding: both are refused.
TEST(ApiOpenDefault, AnotherSitesWritesAndForeignHostNamesAreRefused) {
  InProcess api{gated()};
  std::string first = nlohmann::json{{"name", "evil"}, {"password", "evil password"}}.dump();
  Reply cross = api.post("/ferry/v1/users", first,
                         {{"Host", "127.0.0.1:5000"}, {"Origin", "http://evil.example"}});
  EXPECT_API_ERROR(cross, 403u, "DENIED");
  EXPECT_API_ERROR(api.post("/ferry/v1/gc", "{}", {{"Origin", "null"}}), 403u, "DENIED");
  Reply rebound = api.get("/ferry/v1/users", {{"Host", "evil.example:5000"}});
  EXPECT_API_ERROR(rebound, 403u, "DENIED");
  EXPECT_NE(rebound.body.find("public_url"), std::string::npos) << rebound.body;
  EXPECT_API_ERROR(api.get("/v2/", {{"Host", "evil.example"}}), 403u, "DENIED");
  for (const char* host : {"localhost:5000", "127.0.0.1", "127.1.2.3:80", "[::1]:5000"}) {
    SCOPED_TRACE(host);
    EXPECT_EQ(api.get("/ferry/v1/users", {{"Host", host}}).status, 200u);
  }
  EXPECT_EQ(api.get("/ferry/v1/users").json()["users"], nlohmann::json::array())
      << "nobody was added";
  Reply ours = api.post("/ferry/v1/users", first,
                        {{"Host", "localhost:5000"}, {"Origin", "http://localhost:5000"}});
  EXPECT_EQ(ours.status, 204u) << "the console on this box may: " << ours.body;
}

}  // namespace
}  // namespace ferry::testing

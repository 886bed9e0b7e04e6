// Access control on the wire (docs/access.md): the gate in front of the
// router, driven in process. Gates are made by make_gate()
// (tests/support/in_process.h) only.
#include <gtest/gtest.h>

#include <algorithm>

#include "access/accounts.h"
#include "core/import_records.h"
#include "tests/support/in_process.h"
#include "tests/support/manifests.h"

namespace ferry::testing {
namespace {

constexpr const char* kPassword = "correct horse";

RegistryOptions gated(bool loopback = true) {
  RegistryOptions options;
  options.gate = true;
  options.loopback = loopback;
  return options;
}

// Enforced rules: an admin of "*", a writer and a reader of "team".
class ApiAuth : public ::testing::Test {
 protected:
  InProcess api_{gated()};
  Headers admin_{{"Authorization", basic("root", kPassword)}};
  Headers writer_{{"Authorization", basic("ci", kPassword)}};
  Headers reader_{{"Authorization", basic("viewer", kPassword)}};

  void SetUp() override {
    api_.add_user("root", kPassword);
    api_.grant("root", "*", "admin");
    api_.add_user("ci", kPassword);
    api_.grant("ci", "team", "writer");
    api_.add_user("viewer", kPassword);
    api_.grant("viewer", "team", "reader");
  }

  std::string token_for(const Headers& who, const std::string& scope) {
    Reply r = api_.get("/ferry/v1/token?service=ferry&scope=" + scope, who);
    EXPECT_EQ(r.status, 200u) << r.body;
    return r.json().value("token", "");
  }
};

TEST_F(ApiAuth, AnonymousBaseIsChallengedToLogIn) {
  Reply r = api_.get("/v2/", {{"Host", "box:5000"}});
  EXPECT_API_ERROR(r, 401u, "UNAUTHORIZED");
  EXPECT_EQ(r.header("WWW-Authenticate"),
            "Bearer realm=\"http://box:5000/ferry/v1/token\",service=\"ferry\"");
  EXPECT_EQ(api_.get("/v2/", writer_).status, 200u);
}

TEST_F(ApiAuth, AnonymousPullIsChallengedWithTheScope) {
  Reply r = api_.get("/v2/team/app/manifests/v1");
  EXPECT_API_ERROR(r, 401u, "UNAUTHORIZED");
  EXPECT_NE(r.header("WWW-Authenticate")->find("scope=\"repository:team/app:pull\""),
            std::string::npos);
}

TEST_F(ApiAuth, WrongPasswordMalformedHeaderAndOtherSchemesAreUnauthorized) {
  for (const std::string& header :
       {basic("ci", "wrong password"), basic("nobody", kPassword), std::string("Basic !!!"),
        std::string("Digest username=ci"), std::string("Bearer not-a-token")}) {
    Reply r = api_.get("/v2/", {{"Authorization", header}});
    EXPECT_API_ERROR(r, 401u, "UNAUTHORIZED");
    EXPECT_TRUE(r.header("WWW-Authenticate")) << header;
  }
}

TEST_F(ApiAuth, EmptyBasicCredentialsAreAnonymous) {
  Reply r = api_.get("/v2/", {{"Authorization", "Basic Og=="}});
  EXPECT_API_ERROR(r, 401u, "UNAUTHORIZED");
}

TEST_F(ApiAuth, WriterPushesAndReaderPullsButCannotPush) {
  Digest m = api_.push_image("team/app", "v1", "layer", writer_);
  EXPECT_EQ(api_.get("/v2/team/app/manifests/v1", reader_).status, 200u);
  Reply push = api_.post("/v2/team/app/blobs/uploads/", "", reader_);
  EXPECT_API_ERROR(push, 403u, "DENIED");
  EXPECT_API_ERROR(api_.del("/v2/team/app/manifests/" + m.str(), reader_), 403u, "DENIED");
}

TEST_F(ApiAuth, UserWithoutARoleThereIsDenied) {
  EXPECT_API_ERROR(api_.get("/v2/other/app/tags/list", writer_), 403u, "DENIED");
}

TEST_F(ApiAuth, RetaggingNeedsMaintainer) {
  api_.push_image("team/app", "v1", "one", writer_);
  Digest c = api_.push_blob("team/app", "{}", writer_);
  Digest l = api_.push_blob("team/app", "two", writer_);
  Reply r = api_.put("/v2/team/app/manifests/v1", oci_image_manifest(c, 2, l, 3),
                     {writer_[0], {"Content-Type", "application/vnd.oci.image.manifest.v1+json"}});
  EXPECT_API_ERROR(r, 403u, "DENIED");
}

TEST_F(ApiAuth, BearerTokenCoversItsScopeOnly) {
  api_.push_image("team/app", "v1", "layer", writer_);
  std::string token = token_for(reader_, "repository:team/app:pull");
  ASSERT_FALSE(token.empty());
  Headers bearer = {{"Authorization", "Bearer " + token}};
  EXPECT_EQ(api_.get("/v2/team/app/manifests/v1", bearer).status, 200u);
  Reply other = api_.get("/v2/team/lib/tags/list", bearer);
  EXPECT_API_ERROR(other, 401u, "UNAUTHORIZED");
  EXPECT_NE(other.header("WWW-Authenticate")->find("scope=\"repository:team/lib:pull\""),
            std::string::npos);
}

TEST_F(ApiAuth, TokenGrantsOnlyWhatTheCallerHolds) {
  std::string token = token_for(reader_, "repository:team/app:pull,push");
  Reply push = api_.post("/v2/team/app/blobs/uploads/", "", {{"Authorization", "Bearer " + token}});
  EXPECT_API_ERROR(push, 403u, "DENIED");
}

TEST_F(ApiAuth, PasswordGrantOtherGrantTypesAndOversizedFormsAreRefused) {
  Headers form = {{"Content-Type", "application/x-www-form-urlencoded"}};
  Reply ok = api_.post("/ferry/v1/token",
                       "grant_type=password&username=ci&password=correct+horse&scope=repository:"
                       "team/app:push",
                       form);
  EXPECT_EQ(ok.status, 200u) << ok.body;
  EXPECT_TRUE(ok.json().contains("access_token"));
  EXPECT_API_ERROR(api_.post("/ferry/v1/token", "grant_type=refresh_token&refresh_token=x", form),
                   400u, "INVALID");
  EXPECT_API_ERROR(api_.post("/ferry/v1/token", std::string(17 * 1024, 'a'), form), 413u,
                   "SIZE_INVALID");
  EXPECT_API_ERROR(api_.del("/ferry/v1/token"), 405u, "UNSUPPORTED");
}

// expiresIn is a whole number of seconds up to 100 years: a float such as
// 1e300 (undefined as an int64_t) or INT64_MAX (now + it overflows) is a
// 400, not a token with a garbage expiry.
TEST_F(ApiAuth, ATokensExpiresInMustBeWholeSecondsUpToACentury) {
  Headers json = admin_;
  json.push_back({"Content-Type", "application/json"});
  for (const char* bad : {"1e300", "1.5", "-1", "0", "9223372036854775807", "\"1h\""}) {
    std::string body = std::string(R"({"user":"ci","expiresIn":)") + bad + "}";
    EXPECT_API_ERROR(api_.post("/ferry/v1/tokens", body, json), 400u, "INVALID");
  }
  const std::string century = std::to_string(access::kMaxTokenLifetime);
  EXPECT_API_ERROR(api_.post("/ferry/v1/tokens",
                             R"({"user":"ci","expiresIn":)" +
                                 std::to_string(access::kMaxTokenLifetime + 1) + "}",
                             json),
                   400u, "INVALID");
  Reply ok = api_.post("/ferry/v1/tokens", R"({"user":"ci","expiresIn":)" + century + "}", json);
  EXPECT_EQ(ok.status / 100, 2u) << ok.body;
}

TEST_F(ApiAuth, RepeatedFailedLoginsAreThrottled) {
  Headers wrong = {{"Authorization", basic("ci", "not the password")}};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(api_.get("/v2/", wrong).status, 401u) << i;
  EXPECT_API_ERROR(api_.get("/v2/", wrong), 429u, "TOOMANYREQUESTS");
}

TEST_F(ApiAuth, ImmutableTagsAreDenied) {
  api_.push_image("team/app", "v1", "layer", admin_);
  api_.with_accounts([](access::Accounts& a) {
    access::NamespaceChange change;
    change.set.immutable = std::vector<std::string>{"v*"};
    a.change_namespace("team", change);
  });
  EXPECT_API_ERROR(api_.del("/v2/team/app/manifests/v1", admin_), 403u, "DENIED");
}

TEST_F(ApiAuth, QuotaIsDeniedBeforeTheWrite) {
  api_.with_accounts([](access::Accounts& a) {
    access::NamespaceChange change;
    change.set.quota = access::Quota(uint64_t{4});
    a.change_namespace("team", change);
  });
  Reply r = api_.post("/v2/team/app/blobs/uploads/?digest=" + digest_of("too big").str(), "too big",
                      writer_);
  EXPECT_API_ERROR(r, 403u, "DENIED");
}

TEST_F(ApiAuth, CatalogListsOnlyWhatTheCallerMayPull) {
  api_.push_image("team/app", "v1", "a", admin_);
  api_.push_image("other/app", "v1", "b", admin_);
  EXPECT_EQ(api_.get("/v2/_catalog", reader_).json()["repositories"], nlohmann::json({"team/app"}));
  EXPECT_EQ(api_.get("/v2/_catalog", admin_).json()["repositories"].size(), 2u);
}

// Every page of the catalog, following n and last as a client does.
std::vector<std::string> page_through(InProcess& api, int n, const Headers& who) {
  std::vector<std::string> all;
  std::string last;
  for (int pages = 0; pages < 1000; ++pages) {
    Reply r =
        api.get("/v2/_catalog?n=" + std::to_string(n) + (last.empty() ? "" : "&last=" + last), who);
    EXPECT_EQ(r.status, 200u) << r.body;
    auto repos = r.json()["repositories"];
    EXPECT_LE(repos.size(), static_cast<size_t>(n));
    for (const auto& name : repos) all.push_back(name);
    if (!r.header("Link")) break;
    EXPECT_FALSE(repos.empty()) << "a Link after an empty page";
    if (repos.empty()) break;
    last = all.back();
    EXPECT_EQ(*r.header("Link"),
              "</v2/_catalog?n=" + std::to_string(n) + "&last=" + last + ">; rel=\"next\"");
  }
  return all;
}

TEST_F(ApiAuth, CatalogPagesShowEveryVisibleRepositoryOnce) {
  api_.with_accounts([](access::Accounts& a) {
    access::NamespaceChange pub;
    pub.set.anonymous_pull = true;
    a.change_namespace("pub", pub);
    a.change_namespace("priv/open", pub);  // a public sub-namespace inside a private one
  });
  std::vector<std::string> repos = {"a/x",           "priv/a", "priv/b",   "priv/c", "priv/open",
                                    "priv/open/app", "priv/z", "pub",      "pub/a",  "pub/b",
                                    "pub/c",         "pub0",   "team/app", "team/b", "zed/x"};
  int i = 0;
  for (const auto& r : repos) api_.push_image(r, "v1", "layer" + std::to_string(i++), admin_);
  std::vector<std::string> anonymous = {"priv/open", "priv/open/app", "pub",
                                        "pub/a",     "pub/b",         "pub/c"};
  std::vector<std::string> reader = anonymous;
  reader.insert(reader.end(), {"team/app", "team/b"});
  std::sort(reader.begin(), reader.end());
  for (int n : {1, 2, 3, 100}) {
    EXPECT_EQ(page_through(api_, n, {}), anonymous) << "anonymous, n=" << n;
    EXPECT_EQ(page_through(api_, n, reader_), reader) << "reader, n=" << n;
    EXPECT_EQ(page_through(api_, n, admin_), repos) << "admin, n=" << n;
  }
  // The reported bug: a full page ending on a visible name restarted the scan.
  EXPECT_EQ(api_.get("/v2/_catalog?n=2").json()["repositories"],
            nlohmann::json({"priv/open", "priv/open/app"}));
  EXPECT_EQ(api_.get("/v2/_catalog?n=2&last=pub/a").json()["repositories"],
            nlohmann::json({"pub/b", "pub/c"}));
}

// The issue's case: a visible name ending a batch of hidden ones made the
// scan start again from the first name: ["p/1","p/1"].
TEST_F(ApiAuth, CatalogPageAfterHiddenNamesHasNoRepeats) {
  api_.with_accounts([](access::Accounts& a) {
    access::NamespaceChange pub;
    pub.set.anonymous_pull = true;
    a.change_namespace("p", pub);
  });
  for (const char* r : {"h/1", "h/2", "p/1", "p/2"}) api_.push_image(r, "v1", r, admin_);
  EXPECT_EQ(api_.get("/v2/_catalog?n=2").json()["repositories"], nlohmann::json({"p/1", "p/2"}));
  EXPECT_EQ(api_.get("/v2/_catalog?n=1").json()["repositories"], nlohmann::json({"p/1"}));
  EXPECT_EQ(page_through(api_, 1, {}), (std::vector<std::string>{"p/1", "p/2"}));
}

TEST_F(ApiAuth, ImportHistoryShowsOnlyWhatTheCallerMayRead) {
  ImportRecords history(api_.store().database());
  auto record = [&](const std::string& images, const std::string& error) {
    int64_t id = history.begin("/inbox/b.ferry", 1000);
    ImportRecord what;
    what.images = images;
    history.describe(id, what);
    ImportRecord outcome;
    outcome.result = error.empty() ? "imported" : "failed";
    outcome.error = error;
    history.finish(id, outcome, 1001, 5);
    return id;
  };
  record(R"([{"name":"team/app:v1","digest":"sha256:aa"}])", "");
  record(R"([{"name":"other/app:v1","digest":"sha256:bb"}])", "");
  record(
      R"([{"name":"other/x:v1","digest":"sha256:cc"},{"name":"team/y:v2","digest":"sha256:dd"}])",
      "could not write other/x");
  record("", "refused before anything was read");
  for (int i = 0; i < 5; ++i) record(R"([{"name":"other/z:v1","digest":"sha256:ee"}])", "");

  auto seen = api_.get("/ferry/v1/imports", reader_).json()["imports"];
  ASSERT_EQ(seen.size(), 2u) << seen.dump();
  EXPECT_EQ(seen[0]["images"],
            nlohmann::json::parse(R"([{"name":"team/y:v2","digest":"sha256:dd"}])"));
  EXPECT_FALSE(seen[0].contains("error")) << "it names a repository the reader may not see";
  EXPECT_EQ(seen[1]["images"][0]["name"], "team/app:v1");
  EXPECT_EQ(api_.get("/ferry/v1/imports", admin_).json()["imports"].size(), 9u);
  // Paged past the hidden records without losing or repeating any.
  Reply first = api_.get("/ferry/v1/imports?n=1", reader_);
  ASSERT_EQ(first.json()["imports"].size(), 1u);
  auto link = first.header("Link");
  ASSERT_TRUE(link);
  std::string next = link->substr(1, link->find('>') - 1);
  auto second = api_.get(next, reader_).json()["imports"];
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0]["images"][0]["name"], "team/app:v1");
  EXPECT_FALSE(api_.get(next, reader_).header("Link"));
}

TEST_F(ApiAuth, MountComesOnlyFromARepositoryTheCallerMayPull) {
  Digest d = api_.push_blob("other/app", "secret", admin_);
  Reply r =
      api_.post("/v2/team/app/blobs/uploads/?mount=" + d.str() + "&from=other/app", "", writer_);
  EXPECT_EQ(r.status, 202u) << "an upload session, not the other repository's blob";
}

TEST_F(ApiAuth, FilesFullPathIsCheckedBeforeAnythingIsLookedUp) {
  EXPECT_API_ERROR(api_.get("/files/team/app/v1/file"), 401u, "UNAUTHORIZED");
  EXPECT_API_ERROR(api_.get("/files/other/app/v1/file", reader_), 403u, "DENIED");
  EXPECT_API_ERROR(api_.get("/files/team/app/v1/file", reader_), 404u, "NAME_UNKNOWN");
  EXPECT_API_ERROR(api_.get("/files/file"), 401u, "UNAUTHORIZED");
}

TEST_F(ApiAuth, ImportHistoryNeedsALogin) {
  EXPECT_API_ERROR(api_.get("/ferry/v1/imports"), 401u, "UNAUTHORIZED");
  EXPECT_EQ(api_.get("/ferry/v1/imports", reader_).status, 200u);
}

TEST_F(ApiAuth, PushesAndDeletesAreAudited) {
  api_.push_image("team/app", "v1", "layer", writer_);
  Reply r = api_.get("/ferry/v1/audit", admin_);
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_NE(r.body.find("push manifest"), std::string::npos) << r.body;
}

TEST_F(ApiAuth, AdminApiNeedsAnAdmin) {
  EXPECT_API_ERROR(api_.get("/ferry/v1/users"), 401u, "UNAUTHORIZED");
  EXPECT_API_ERROR(api_.get("/ferry/v1/users", writer_), 403u, "DENIED");
  Reply users = api_.get("/ferry/v1/users", admin_);
  EXPECT_EQ(users.status, 200u);
  EXPECT_EQ(users.json()["users"].size(), 3u);
}

TEST_F(ApiAuth, AdminApiRefusalsUseFerrysCodes) {
  EXPECT_API_ERROR(
      api_.post("/ferry/v1/users", R"({"name":"ci","password":"long enough"})", admin_), 409u,
      "EXISTS");
  EXPECT_API_ERROR(api_.del("/ferry/v1/users/nobody", admin_), 404u, "NOT_FOUND");
  EXPECT_API_ERROR(api_.post("/ferry/v1/users", "[1]", admin_), 400u, "INVALID");
  EXPECT_API_ERROR(api_.post("/ferry/v1/users", R"({"name":"x","password":"short"})", admin_), 400u,
                   "INVALID");
  EXPECT_API_ERROR(api_.post("/ferry/v1/users", std::string(65 * 1024, ' '), admin_), 413u,
                   "SIZE_INVALID");
  EXPECT_API_ERROR(api_.post("/ferry/v1/status", "", admin_), 405u, "UNSUPPORTED");
}

TEST(ApiAuthLocked, NoUsersBeyondLoopbackPullsButRefusesPushes) {
  InProcess api(gated(false));
  EXPECT_EQ(api.get("/v2/").status, 200u);
  EXPECT_API_ERROR(api.post("/v2/team/app/blobs/uploads/"), 403u, "DENIED");
  EXPECT_API_ERROR(api.get("/ferry/v1/users"), 403u, "DENIED");
}

TEST(ApiAuthOpen, NoUsersOnLoopbackAllowsEverything) {
  InProcess api(gated(true));
  EXPECT_EQ(api.post("/v2/team/app/blobs/uploads/").status, 202u);
  EXPECT_EQ(api.get("/ferry/v1/users").status, 200u);
}

}  // namespace
}  // namespace ferry::testing

namespace ferry::testing {
namespace {

TEST_F(ApiAuth, AnImportsReceiptIsServedToAdminsOfEverything) {
  ImportRecords history(api_.store().database());
  auto record = [&](const std::string& images) {
    int64_t id = history.begin("/media/usb/b.ferry", 1000);
    ImportRecord what;
    what.images = images;
    history.describe(id, what);
    ImportRecord outcome;
    outcome.result = "imported";
    history.finish(id, outcome, 1001, 5);
    return id;
  };
  int64_t team = record(R"([{"name":"team/app:v1","digest":"sha256:aa"}])");
  int64_t other = record(R"([{"name":"other/app:v1","digest":"sha256:bb"}])");
  int64_t bare = record(R"([{"name":"team/app:v2","digest":"sha256:cc"}])");
  history.set_receipt(team, {"/media/usb/ferry-receipts/r.json", R"({"receipt":"team"})", "SIG1"});
  history.set_receipt(other, {"/tmp/o.json", R"({"receipt":"other"})", "SIG2"});

  auto list = api_.get("/ferry/v1/imports", reader_).json()["imports"];
  ASSERT_EQ(list.size(), 2u) << list.dump();
  EXPECT_EQ(list[0]["id"], bare);
  EXPECT_EQ(list[0]["receipt"], false);
  EXPECT_EQ(list[1]["receipt"], true);

  // A receipt lists every digest the box holds: an admin of "*" only.
  std::string base = "/ferry/v1/imports/" + std::to_string(team);
  Reply refused = api_.get(base + "/receipt", reader_);
  EXPECT_API_ERROR(refused, 403u, "DENIED");
  EXPECT_NE(refused.body.find("admin of '*'"), std::string::npos) << refused.body;
  Reply receipt = api_.get(base + "/receipt", admin_);
  ASSERT_EQ(receipt.status, 200u) << receipt.body;
  EXPECT_EQ(receipt.body, R"({"receipt":"team"})");
  EXPECT_NE(receipt.header("Content-Disposition")->find("ferry-receipt-"), std::string::npos);
  EXPECT_EQ(receipt.header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(api_.get(base + "/receipt.minisig", admin_).body, "SIG1");
  std::string hidden = "/ferry/v1/imports/" + std::to_string(other) + "/receipt";
  EXPECT_API_ERROR(api_.get(hidden, reader_), 403u, "DENIED");
  EXPECT_EQ(api_.get(hidden, admin_).body, R"({"receipt":"other"})");
  EXPECT_API_ERROR(api_.get("/ferry/v1/imports/" + std::to_string(bare) + "/receipt", admin_), 404u,
                   "NOT_FOUND");
  EXPECT_API_ERROR(api_.get(hidden), 401u, "UNAUTHORIZED");
  for (const char* bad :
       {"/ferry/v1/imports/x/receipt", "/ferry/v1/imports/1/other", "/ferry/v1/imports/-1/receipt",
        "/ferry/v1/imports/99999999999999999/receipt", "/ferry/v1/imports/1"}) {
    SCOPED_TRACE(bad);
    EXPECT_API_ERROR(api_.get(bad, admin_), 404u, "NAME_UNKNOWN");
  }
  EXPECT_API_ERROR(api_.del(base + "/receipt", admin_), 405u, "UNSUPPORTED");
}

// Through the API nobody can take away the last admin of "*" (revoke,
// demote, remove): the box would then be administered only from its host.
TEST_F(ApiAuth, TheLastAdminOfEverythingCannotBeTakenAway) {
  for (auto [method, path, body] :
       {std::tuple{"DELETE", "/ferry/v1/grants/root/*", ""},
        std::tuple{"PUT", "/ferry/v1/grants/root/*", R"({"role":"reader"})"},
        std::tuple{"DELETE", "/ferry/v1/users/root", ""}}) {
    SCOPED_TRACE(path);
    http::Request req(method, path);
    for (const auto& [k, v] : admin_) req.add_header(k, v);
    Reply r = api_.send(std::move(req), body);
    EXPECT_API_ERROR(r, 403u, "DENIED");
    EXPECT_NE(r.body.find("last admin of '*'"), std::string::npos) << r.body;
  }
  EXPECT_EQ(api_.get("/v2/", admin_).status, 200u) << "root still logs in";
  // With a second admin of "*", the first may go.
  ASSERT_EQ(api_.put("/ferry/v1/grants/ci/*", R"({"role":"admin"})", admin_).status, 204u);
  EXPECT_EQ(api_.del("/ferry/v1/grants/root/*", admin_).status, 204u);
  EXPECT_EQ(api_.put("/ferry/v1/grants/viewer/team", R"({"role":"writer"})", writer_).status, 204u)
      << "ci, now the admin, works";
}

}  // namespace
}  // namespace ferry::testing

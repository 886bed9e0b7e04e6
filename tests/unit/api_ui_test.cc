// The web console's files at /ui/ (docs/console.md), through api::make_router
// in process: caching, gzip, the CSP, the browser redirect, and that a
// locked box still serves the page (its data comes from /ferry/v1/).
#include <gtest/gtest.h>
#include <strings.h>
#include <zlib.h>

#include <regex>

#include "daemon/ui/assets.h"
#include "tests/support/in_process.h"

namespace ferry::testing {
namespace {

constexpr const char* kCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

void expect_console_headers(const Reply& r) {
  EXPECT_EQ(r.header("Content-Security-Policy"), kCsp);
  EXPECT_EQ(r.header("X-Frame-Options"), "DENY");
  EXPECT_EQ(r.header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(r.header("Referrer-Policy"), "no-referrer");
  // Each once: the dispatch adds the last three, the console only the CSP.
  for (std::string name : {"Content-Security-Policy", "X-Frame-Options"}) {
    size_t times = 0;
    for (const auto& [n, v] : r.headers) times += strcasecmp(n.c_str(), name.c_str()) == 0;
    EXPECT_EQ(times, 1u) << name;
  }
}

std::string gunzip(const std::string& in) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 16 + MAX_WBITS), Z_OK);
  std::string out(1 << 20, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  inflateEnd(&z);
  return out;
}

// The hashed asset names the page refers to.
std::vector<std::string> asset_urls(const std::string& html) {
  std::vector<std::string> urls;
  std::regex ref("(?:src|href)=\"(assets/[^\"]+)\"");
  for (std::sregex_iterator it(html.begin(), html.end(), ref), end; it != end; ++it) {
    urls.push_back("/ui/" + (*it)[1].str());
  }
  return urls;
}

TEST(ApiUi, ServesThePageUncachedWithAnETagAndTheCsp) {
  InProcess api;
  Reply r = api.get("/ui/");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(r.header("Cache-Control"), "no-cache");
  EXPECT_NE(r.body.find("<main id=\"main\">"), std::string::npos);
  expect_console_headers(r);
  ASSERT_TRUE(r.header("ETag"));
  // No inline script: the CSP forbids it, so the page would not work.
  EXPECT_EQ(r.body.find("<script>"), std::string::npos);
  EXPECT_EQ(r.body.find("style="), std::string::npos);

  Reply again = api.get("/ui/", {{"If-None-Match", "\"nope\", " + *r.header("ETag")}});
  EXPECT_EQ(again.status, 304u);
  EXPECT_EQ(again.body, "");
  expect_console_headers(again);
  EXPECT_EQ(api.get("/ui/", {{"If-None-Match", "\"other\""}}).status, 200u);
  EXPECT_EQ(api.get("/ui/index.html").body, r.body);
}

TEST(ApiUi, AssetsHaveHashedNamesAndAreImmutable) {
  InProcess api;
  std::string html = api.get("/ui/").body;
  auto urls = asset_urls(html);
  ASSERT_EQ(urls.size(), 2u) << html;  // the stylesheet and the entry module
  std::string hash(ui::build_hash());
  for (const std::string& url : urls) {
    EXPECT_NE(url.find("." + hash + "."), std::string::npos) << url;
    Reply r = api.get(url);
    ASSERT_EQ(r.status, 200u) << url;
    EXPECT_EQ(r.header("Cache-Control"), "public, max-age=31536000, immutable");
    expect_console_headers(r);
  }
  // Module imports point at the hashed names too, so the browser never
  // mixes files of two builds.
  Reply app = api.get(urls[1].find(".js") != std::string::npos ? urls[1] : urls[0]);
  EXPECT_EQ(app.header("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_NE(app.body.find("./api." + hash + ".js'"), std::string::npos) << app.body.substr(0, 400);
  EXPECT_EQ(app.body.find("'./api.js'"), std::string::npos);
}

TEST(ApiUi, GzipWhenAcceptedWithItsOwnETag) {
  InProcess api;
  Reply plain = api.get("/ui/");
  Reply gz = api.get("/ui/", {{"Accept-Encoding", "br, gzip;q=0.8"}});
  ASSERT_EQ(gz.status, 200u);
  EXPECT_EQ(gz.header("Content-Encoding"), "gzip");
  EXPECT_EQ(gz.header("Vary"), "Accept-Encoding");
  EXPECT_LT(gz.body.size(), plain.body.size());
  EXPECT_EQ(gunzip(gz.body), plain.body);
  EXPECT_NE(gz.header("ETag"), plain.header("ETag"));
  EXPECT_FALSE(api.get("/ui/", {{"Accept-Encoding", "gzip;q=0"}}).header("Content-Encoding"));
  EXPECT_EQ(
      api.get("/ui/", {{"Accept-Encoding", "gzip"}, {"If-None-Match", *gz.header("ETag")}}).status,
      304u);
}

TEST(ApiUi, TheWholeConsoleStaysUnderItsBudget) {
  size_t gzipped = 0;
  for (const ui::Asset& a : ui::assets()) gzipped += a.gzip.size();
  EXPECT_LT(gzipped, 150u * 1024);
  EXPECT_EQ(ui::assets().front().path, "/ui/");
}

TEST(ApiUi, BrowsersAreSentFromTheRootToTheConsole) {
  InProcess api;
  Reply browser = api.get("/", {{"Accept", "text/html,application/xhtml+xml,*/*;q=0.8"}});
  EXPECT_EQ(browser.status, 302u);
  EXPECT_EQ(browser.header("Location"), "/ui/");
  Reply bare = api.get("/ui");
  EXPECT_EQ(bare.status, 302u);
  EXPECT_EQ(bare.header("Location"), "/ui/");
  // Other clients keep the API's answer.
  EXPECT_API_ERROR(api.get("/"), 404u, "NAME_UNKNOWN");
  EXPECT_API_ERROR(api.get("/", {{"Accept", "application/json"}}), 404u, "NAME_UNKNOWN");
}

TEST(ApiUi, RefusalsAreJsonWithTheConsoleHeaders) {
  InProcess api;
  Reply missing = api.get("/ui/assets/app.000000000000.js");
  EXPECT_API_ERROR(missing, 404u, "NOT_FOUND");
  expect_console_headers(missing);
  EXPECT_API_ERROR(api.get("/ui/../v2/_catalog"), 404u, "NOT_FOUND");
  Reply post = api.post("/ui/", "x");
  EXPECT_API_ERROR(post, 405u, "UNSUPPORTED");
  expect_console_headers(post);
}

TEST(ApiUi, ALockedBoxStillServesThePageButNotTheData) {
  RegistryOptions locked;
  locked.gate = true;
  locked.loopback = false;
  InProcess api(locked);
  api.add_user("admin", "correct horse battery");
  EXPECT_EQ(api.get("/ui/").status, 200u);
  Reply data = api.get("/ferry/v1/imports");
  EXPECT_EQ(data.status, 401u) << data.body;
}

}  // namespace
}  // namespace ferry::testing

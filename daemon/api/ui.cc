#include "daemon/api/ui.h"

#include <exception>
#include <string>

#include "base/error.h"
#include "daemon/api/errors.h"
#include "daemon/ui/assets.h"

namespace ferry::api {
namespace {

constexpr const char* kCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

// X-Frame-Options, nosniff and Referrer-Policy come from the dispatch
// (RouteInfo::browser_headers, set for /ui/ in api.cc).
http::Response with_security_headers(http::Response r) {
  r.header("Content-Security-Policy", kCsp);
  return r;
}

// The refusal as the OCI error JSON every other endpoint answers, plus the
// console's headers.
http::Response refusal(const Error& error) {
  try {
    throw error;
  } catch (...) {
    return with_security_headers(render_error(std::current_exception()));
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls f on each comma-separated element of every value of header `name`.
template <typename F>
void each_element(const http::Request& req, std::string_view name, F f) {
  for (const std::string& value : req.header_values(name)) {
    std::string_view rest = value;
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      f(trim(rest.substr(0, comma)));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
}

// Accept-Encoding names gzip (or *) without q=0.
bool accepts_gzip(const http::Request& req) {
  bool yes = false;
  each_element(req, "Accept-Encoding", [&](std::string_view item) {
    size_t semi = item.find(';');
    std::string_view coding = trim(item.substr(0, semi));
    bool refused = semi != std::string_view::npos &&
                   trim(item.substr(semi + 1)).find_first_not_of("q=0.") == std::string_view::npos;
    if ((coding == "gzip" || coding == "*") && !refused) yes = true;
  });
  return yes;
}

// If-None-Match holds `etag` (weakly compared, as RFC 9110 asks for GET) or *.
bool not_modified(const http::Request& req, std::string_view etag) {
  bool match = false;
  each_element(req, "If-None-Match", [&](std::string_view tag) {
    if (tag.rfind("W/", 0) == 0) tag.remove_prefix(2);
    if (tag == etag || tag == "*") match = true;
  });
  return match;
}

http::Response serve(const http::Request& req, const ui::Asset& asset) {
  bool gzip = accepts_gzip(req);
  // Each encoding is its own representation, so its own ETag.
  std::string etag(asset.etag);
  if (gzip) etag.insert(etag.size() - 1, "-gz");
  http::Response r = http::Response::empty(304);
  if (!not_modified(req, etag)) {
    std::string_view body = gzip ? asset.gzip : asset.body;
    r = http::Response::text(200, std::string(body), std::string(asset.content_type));
    if (gzip) r.header("Content-Encoding", "gzip");
  }
  r.header("ETag", etag);
  r.header("Vary", "Accept-Encoding");
  r.header("Cache-Control", asset.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  return with_security_headers(std::move(r));
}

http::Response redirect_to_console() {
  http::Response r = http::Response::empty(302);
  r.header("Location", "/ui/");
  r.header("Cache-Control", "no-cache");
  return with_security_headers(std::move(r));
}

}  // namespace

bool is_ui_path(std::string_view path) {
  return path == "/ui" || path.rfind("/ui/", 0) == 0;
}

bool is_browser_root(const http::Request& req) {
  if (req.path() != "/" || (req.method() != "GET" && req.method() != "HEAD")) return false;
  bool html = false;
  each_element(req, "Accept", [&](std::string_view type) {
    if (type.rfind("text/html", 0) == 0) html = true;
  });
  return html;
}

ExchangePtr handle_ui(const http::Request& req) {
  if (req.method() != "GET" && req.method() != "HEAD") {
    return answer(refusal(Error(ErrorCode::kUnsupported,
                                "the console is read with GET; its changes go to /ferry/v1/")));
  }
  std::string_view path = req.path();
  if (path == "/" || path == "/ui") return answer(redirect_to_console());
  if (path == "/ui/index.html") path = "/ui/";
  for (const ui::Asset& asset : ui::assets()) {
    if (asset.path == path) return answer(serve(req, asset));
  }
  return answer(refusal(Error(ErrorCode::kNotFound,
                              "no such file in the console: " + std::string(path.substr(0, 200)) +
                                  "; open /ui/ (a stale page? reload it)")));
}

}  // namespace ferry::api

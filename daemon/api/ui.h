// The web console at /ui/ (docs/console.md): static files compiled into
// ferryd, served to anyone (the data they show comes from /ferry/v1/, which
// checks access), and the redirect of a browser's GET / to it.
#pragma once

#include <string_view>

#include "daemon/api/params.h"
#include "daemon/http/request.h"

namespace ferry::api {

// "/ui" or anything under "/ui/".
bool is_ui_path(std::string_view path);

// GET or HEAD of "/" whose Accept names text/html (a browser's address bar):
// such a request is answered 302 to /ui/ by handle_ui.
bool is_browser_root(const http::Request& req);

// Answers a request is_ui_path or is_browser_root accepted: /ui/ (the page,
// no-cache with an ETag), /ui/assets/NAME.HASH.EXT (immutable for a year),
// 304 when If-None-Match holds the ETag, gzip when Accept-Encoding allows
// it; "/ui" and "/" 302 to /ui/. Every answer, refusals too (404 NOT_FOUND,
// 405 UNSUPPORTED as OCI error JSON), carries the console's CSP (the
// framing, sniffing and referrer headers are the dispatch's, see api.cc).
ExchangePtr handle_ui(const http::Request& req);

}  // namespace ferry::api

// The console's read endpoints (docs/console.md, "Browsing API"):
//   GET /ferry/v1/catalog                               namespaces with sizes
//   GET /ferry/v1/repositories?namespace=&q=&n=&last=   repositories, paged
//   GET /ferry/v1/repositories/NAME/tags?n=&last=       tags with kinds and sizes
//   GET /ferry/v1/repositories/NAME/manifests/REF       one manifest in detail
// Thin: core/browse does the work; only what checks.may_pull allows is shown,
// and a repository the caller may not pull is answered as unknown.
#include "core/browse.h"

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "core/json_strict.h"
#include "daemon/api/handlers.h"

namespace ferry::api {
namespace {

using nlohmann::json;

constexpr std::string_view kRepositories = "/ferry/v1/repositories";

// For a Link header: everything but unreserved characters percent-encoded.
std::string query_escape(std::string_view text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

void require_visible(const Checks& checks, const std::string& name) {
  if (checks.may_pull && !checks.may_pull(name)) {
    throw Error(ErrorCode::kNameUnknown, "repository '" + name + "' is not known to this registry");
  }
}

http::Response with_next(http::Response r, bool more, const std::string& link) {
  if (more) r.header("Link", "<" + link + ">; rel=\"next\"");
  return r;
}

ExchangePtr catalog(Store& store, const Checks& checks) {
  json list = json::array();
  for (const auto& n : Browse(store).catalog(checks.may_pull)) list.push_back(to_json(n));
  return answer(http::Response::json(200, json_text(json{{"namespaces", list}})));
}

ExchangePtr repositories(Store& store, const http::Request& req, const Checks& checks) {
  RepositoryQuery q;
  q.name_space = req.query("namespace").value_or("");
  q.contains = req.query("q").value_or("");
  q.after = req.query("last").value_or("");
  q.limit = query_int(req, "n", 100, 1, 1000);
  auto page = Browse(store).repositories(q, checks.may_pull);
  json list = json::array();
  for (const auto& r : page.items) list.push_back(to_json(r));
  std::string next;
  if (page.more) {
    next = std::string(kRepositories) + "?namespace=" + query_escape(q.name_space) +
           "&q=" + query_escape(q.contains) + "&n=" + std::to_string(q.limit) +
           "&last=" + query_escape(page.items.back().name);
  }
  return answer(with_next(http::Response::json(200, json_text(json{{"repositories", list}})),
                          page.more, next));
}

ExchangePtr tags(Store& store, const http::Request& req, const Checks& checks,
                 const std::string& name, TagSummaryCache* summaries) {
  require_visible(checks, name);
  int64_t n = query_int(req, "n", 100, 1, 1000);
  std::string last = req.query("last").value_or("");
  auto page = Browse(store, summaries).tags(name, last, n);
  json list = json::array();
  for (const auto& t : page.items) list.push_back(to_json(t));
  std::string next;
  if (page.more) {
    next = std::string(kRepositories) + "/" + name + "/tags?n=" + std::to_string(n) +
           "&last=" + query_escape(page.items.back().name);
  }
  return answer(with_next(
      http::Response::json(200, json_text(json{{"name", name}, {"tags", list}})), page.more, next));
}

}  // namespace

bool is_browse_path(std::string_view path) {
  return path == "/ferry/v1/catalog" || path == kRepositories ||
         path.rfind(std::string(kRepositories) + "/", 0) == 0;
}

ExchangePtr handle_browse(Store& store, const http::Request& req, const Checks& checks,
                          TagSummaryCache* summaries) {
  if (req.method() != "GET" && req.method() != "HEAD") method_not_allowed(req, "GET");
  std::string_view path = req.path();
  if (path == "/ferry/v1/catalog") return catalog(store, checks);
  if (path == kRepositories) return repositories(store, req, checks);
  std::string rest(path.substr(kRepositories.size() + 1));
  // The reference holds no '/', so the last "/manifests/" splits name and reference.
  size_t m = rest.rfind("/manifests/");
  if (m != std::string::npos && m > 0 && rest.find('/', m + 11) == std::string::npos &&
      m + 11 < rest.size()) {
    std::string name = rest.substr(0, m);
    require_visible(checks, name);
    json doc = Browse(store).manifest(name, rest.substr(m + 11));
    return answer(http::Response::json(200, json_text(doc)));
  }
  constexpr std::string_view kTags = "/tags";
  if (rest.size() > kTags.size() &&
      rest.compare(rest.size() - kTags.size(), kTags.size(), kTags) == 0) {
    return tags(store, req, checks, rest.substr(0, rest.size() - kTags.size()), summaries);
  }
  throw Error(ErrorCode::kNameUnknown, "no such endpoint: " + std::string(path.substr(0, 300)) +
                                           "; use /ferry/v1/repositories/NAME/tags or "
                                           "/ferry/v1/repositories/NAME/manifests/REFERENCE");
}

}  // namespace ferry::api

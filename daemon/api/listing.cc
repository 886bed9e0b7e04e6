// Tags list, catalog and referrers: read-only listings.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "core/json_strict.h"
#include "core/media_types.h"
#include "daemon/api/handlers.h"

namespace ferry::api {
namespace {

using nlohmann::json;

// Fetches one more than asked to know whether a next page exists.
template <typename Fetch>
http::Response paged(const Page& page, const std::string& path, const char* key, json doc,
                     Fetch fetch) {
  std::vector<std::string> items = page.n > 0 ? fetch(page.n + 1) : std::vector<std::string>{};
  bool more = static_cast<int64_t>(items.size()) > page.n;
  if (more) items.resize(static_cast<size_t>(page.n));
  doc[key] = items;
  http::Response r = http::Response::json(200, json_text(doc));
  if (more) {
    r.header("Link", "<" + path + "?n=" + std::to_string(page.n) + "&last=" + items.back() +
                         ">; rel=\"next\"");
  }
  return r;
}

}  // namespace

ExchangePtr handle_tags(Store& store, const http::Request& req, const Route& route) {
  if (req.method() != "GET" && req.method() != "HEAD") method_not_allowed(req, "GET");
  Page page = page_of(req);
  return answer(
      paged(page, "/v2/" + route.name + "/tags/list", "tags", json{{"name", route.name}},
            [&](int64_t limit) { return store.list_tags(route.name, page.last, limit); }));
}

// Up to `limit` repositories after `after` that the caller may pull, in
// name order. Reads on from the last name it looked at, never from the
// start, and jumps over the rest of a namespace the caller may not see,
// so a page costs about its own size plus one query per hidden namespace.
std::vector<std::string> visible_repositories(Store& store, const Checks& checks, std::string after,
                                              int64_t limit) {
  constexpr int64_t kBatch = 512;
  std::vector<std::string> out;
  while (static_cast<int64_t>(out.size()) < limit) {
    int64_t want = std::min(limit - static_cast<int64_t>(out.size()), kBatch);
    auto batch = store.list_repositories(after, want);
    bool exhausted = static_cast<int64_t>(batch.size()) < want;
    for (auto& name : batch) {
      if (!checks.may_pull || checks.may_pull(name)) {
        after = name;
        out.push_back(std::move(name));
        continue;
      }
      // Hidden: so is the rest of its namespace; ask again past it.
      after = checks.skip_hidden ? checks.skip_hidden(name) : name;
      exhausted = false;
      break;
    }
    if (exhausted) break;
  }
  return out;
}

ExchangePtr handle_catalog(Store& store, const http::Request& req, const Checks& checks) {
  if (req.method() != "GET" && req.method() != "HEAD") method_not_allowed(req, "GET");
  Page page = page_of(req);
  return answer(paged(page, "/v2/_catalog", "repositories", json::object(), [&](int64_t limit) {
    return visible_repositories(store, checks, page.last, limit);
  }));
}

ExchangePtr handle_referrers(Store& store, const http::Request& req, const Route& route) {
  if (req.method() != "GET" && req.method() != "HEAD") method_not_allowed(req, "GET");
  Digest subject = Digest::parse_or_throw(route.reference);
  auto artifact_type = req.query("artifactType");
  json manifests = json::array();
  for (const auto& row : store.list_referrers(route.name, subject, artifact_type)) {
    json d = {{"mediaType", row.media_type}, {"digest", row.digest}, {"size", row.size}};
    if (row.artifact_type) d["artifactType"] = *row.artifact_type;
    if (row.annotations) d["annotations"] = json::parse(*row.annotations);
    manifests.push_back(std::move(d));
  }
  json index = {{"schemaVersion", 2}, {"mediaType", media::kOciIndex}, {"manifests", manifests}};
  http::Response r = http::Response::json(200, json_text(index));
  r.headers.clear();
  r.header("Content-Type", std::string(media::kOciIndex));
  if (artifact_type) r.header("OCI-Filters-Applied", "artifactType");
  return answer(std::move(r));
}

}  // namespace ferry::api

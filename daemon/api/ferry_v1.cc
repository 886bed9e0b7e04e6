// Ferry's own read-only endpoints under /ferry/v1/ (docs/import.md):
//   GET /ferry/v1/imports[?n=N&before=ID]  the import history, newest first
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "core/import_records.h"
#include "daemon/api/handlers.h"
#include "daemon/import/history_json.h"

namespace ferry::api {
namespace {

ExchangePtr handle_imports(Store& store, const http::Request& req) {
  if (req.method() != "GET" && req.method() != "HEAD") method_not_allowed(req, "GET");
  int64_t n = query_int(req, "n", 100, 0, 1000);
  int64_t before = query_int(req, "before", 0, 0, INT64_MAX);
  auto records = ImportRecords(store.database()).list(before, n + 1);
  bool more = static_cast<int64_t>(records.size()) > n;
  if (more) records.resize(static_cast<size_t>(n));
  nlohmann::json list = nlohmann::json::array();
  for (const auto& r : records) list.push_back(import::import_record_json(r));
  http::Response response = http::Response::json(200, nlohmann::json{{"imports", list}}.dump());
  if (more && !records.empty()) {
    response.header("Link", "</ferry/v1/imports?n=" + std::to_string(n) +
                                "&before=" + std::to_string(records.back().id) + ">; rel=\"next\"");
  }
  return answer(std::move(response));
}

}  // namespace

ExchangePtr handle_ferry_v1(Store& store, const http::Request& req) {
  std::string_view path = req.path();
  if (path == "/ferry/v1/imports") return handle_imports(store, req);
  throw Error(ErrorCode::kNameUnknown, "no such endpoint: " + std::string(path.substr(0, 300)) +
                                           "; Ferry's own API has /ferry/v1/imports");
}

}  // namespace ferry::api

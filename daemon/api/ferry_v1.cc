// Ferry's own read-only endpoints under /ferry/v1/ (docs/import.md):
//   GET /ferry/v1/imports[?n=N&before=ID]  the import history, newest first
//   GET /ferry/v1/imports/ID/receipt[.minisig]  the signed receipt it wrote
#include <nlohmann/json.hpp>
#include <optional>

#include "base/error.h"
#include "bundle/format.h"
#include "core/import_records.h"
#include "core/json_strict.h"
#include "daemon/api/handlers.h"
#include "daemon/import/history_json.h"

namespace ferry::api {
namespace {

// The record as the caller may see it: nullopt when it published nothing
// they may pull; else with only those images, and without the error
// message when some were left out (it may name them).
std::optional<nlohmann::json> visible_record(const ImportRecord& r, const Checks& checks) {
  nlohmann::json j = import::import_record_json(r);
  if (!checks.may_pull) return j;
  if (!j.contains("images") || !j["images"].is_array()) return std::nullopt;
  nlohmann::json shown = nlohmann::json::array();
  for (const auto& image : j["images"]) {
    if (image.is_object() && image.value("name", "") != "" &&
        checks.may_pull(bundle::repository_of(image.value("name", "")))) {
      shown.push_back(image);
    }
  }
  if (shown.empty()) return std::nullopt;
  if (shown.size() != j["images"].size()) j.erase("error");
  j["images"] = std::move(shown);
  return j;
}

ExchangePtr handle_imports(Store& store, const http::Request& req, const Checks& checks) {
  if (req.method() != "GET" && req.method() != "HEAD") method_not_allowed(req, "GET");
  int64_t n = query_int(req, "n", 100, 0, 1000);
  int64_t before = query_int(req, "before", 0, 0, INT64_MAX);
  // Reads on from the oldest record looked at (never from the newest
  // again) until the page and one more are found, or the history ends.
  constexpr int64_t kBatch = 200;
  ImportRecords history(store.database());
  nlohmann::json list = nlohmann::json::array();
  int64_t last_id = 0;
  bool more = false;
  while (n > 0 && !more) {
    auto records = history.list(before, kBatch);
    for (const auto& r : records) {
      before = r.id;
      auto shown = visible_record(r, checks);
      if (!shown) continue;
      if (static_cast<int64_t>(list.size()) == n) {
        more = true;
        break;
      }
      list.push_back(std::move(*shown));
      last_id = r.id;
    }
    if (static_cast<int64_t>(records.size()) < kBatch || before <= 1) break;
  }
  http::Response response = http::Response::json(200, json_text(nlohmann::json{{"imports", list}}));
  if (more) {
    response.header("Link", "</ferry/v1/imports?n=" + std::to_string(n) +
                                "&before=" + std::to_string(last_id) + ">; rel=\"next\"");
  }
  return answer(std::move(response));
}

// /ferry/v1/imports/ID/receipt[.minisig]: the receipt that import wrote, to
// whoever may see its record. Answers 404 for a record they may not see, as
// for one that does not exist.
ExchangePtr handle_receipt(Store& store, const http::Request& req, const Checks& checks,
                           std::string_view rest) {
  if (req.method() != "GET" && req.method() != "HEAD") method_not_allowed(req, "GET");
  auto slash = rest.find('/');
  std::string_view id_text = rest.substr(0, slash);
  std::string_view file = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
  int64_t id = 0;
  bool numeric = !id_text.empty() && id_text.size() < 16 &&
                 id_text.find_first_not_of("0123456789") == std::string_view::npos;
  if (numeric) id = std::stoll(std::string(id_text));
  if (id <= 0 || (file != "receipt" && file != "receipt.minisig")) {
    throw Error(ErrorCode::kNameUnknown,
                "no such endpoint: " + std::string(req.path().substr(0, 300)) +
                    "; an import's receipt is /ferry/v1/imports/ID/receipt (and receipt.minisig)");
  }
  // A receipt names every image of the bundle and every digest the box
  // holds: for those who see everything (an admin of "*") only.
  if (checks.may_pull) {
    throw Error(ErrorCode::kDenied,
                "a receipt lists every digest this box holds: only an admin of '*' may download "
                "it");
  }
  ImportRecords history(store.database());
  auto records = history.list(id + 1, 1);
  auto receipt = records.empty() || records[0].id != id || !visible_record(records[0], checks)
                     ? std::nullopt
                     : history.receipt(id);
  if (!receipt) {
    throw Error(ErrorCode::kNotFound, "import " + std::to_string(id) +
                                          " has no receipt you may see (only imports run with "
                                          "--receipt, or from a USB stick, have one)");
  }
  bool sig = file == "receipt.minisig";
  http::Response r = http::Response::text(
      200, sig ? receipt->signature : receipt->receipt,
      sig ? "application/octet-stream" : "application/vnd.ferry.import-receipt.v1+json");
  r.header("Content-Disposition", "attachment; filename=\"ferry-receipt-" + std::to_string(id) +
                                      (sig ? ".json.minisig\"" : ".json\""));
  return answer(std::move(r));
}

}  // namespace

ExchangePtr handle_ferry_v1(Store& store, const http::Request& req, const Checks& checks,
                            TagSummaryCache* summaries) {
  std::string_view path = req.path();
  if (path == "/ferry/v1/imports") return handle_imports(store, req, checks);
  constexpr std::string_view kImports = "/ferry/v1/imports/";
  if (path.rfind(kImports, 0) == 0) {
    return handle_receipt(store, req, checks, path.substr(kImports.size()));
  }
  if (is_browse_path(path)) return handle_browse(store, req, checks, summaries);
  throw Error(ErrorCode::kNameUnknown,
              "no such endpoint: " + std::string(path.substr(0, 300)) +
                  "; Ferry's own API has /ferry/v1/imports, /ferry/v1/catalog and "
                  "/ferry/v1/repositories");
}

}  // namespace ferry::api

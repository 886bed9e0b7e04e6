// One function per area of the Distribution spec. Each checks the method,
// validates what it can before any body is read, and returns the exchange
// that will consume the body (if any) and answer.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/browse_cache.h"
#include "core/store.h"
#include "daemon/api/params.h"
#include "daemon/api/route.h"
#include "daemon/http/exchange.h"

namespace ferry::api {

// What the access layer (gate.h) asks of handlers that decide more than the
// route tells. Empty functions allow everything.
struct Checks {
  std::function<bool(std::string_view repository)> may_pull;  // catalog, mount source
  // With may_pull, for listings: a key after which a listing in name order
  // resumes when may_pull refused `repository` (the rest of its namespace
  // is refused too); access::Policy::namespace_end. Unset: the next name.
  std::function<std::string(std::string_view repository)> skip_hidden;
  // Before a tag moves from one manifest to another (digests), or goes
  // (`to` empty; `from` may be empty then); throws to refuse.
  std::function<void(std::string_view tag, std::string_view from, std::string_view to)>
      before_tag_change;
  // Who writes, for the limits on open upload sessions per user ("" when
  // nobody is checked).
  std::string writer;
  // Who a manifest push moves a tag as (tags.updated_by): the user, or
  // "anonymous".
  std::string pusher = "anonymous";
  // Asked under the upload ledger's lock before an upload session opens or
  // a write holds more bytes (core/upload_ledger.h): the namespace's quota,
  // counting stored content and the bytes open uploads hold, and the limits
  // on open sessions; throws to refuse.
  UploadLedger::Admit admit;
  // Throws (401 or 403) unless the caller may pull the repository.
  std::function<void(std::string_view repository)> require_pull;
};

ExchangePtr handle_blob(Store& store, const http::Request& req, const Route& route);
// GET or HEAD of a blob of the repository: the whole file or a Range of it
// (206, 416), sent with sendfile, the digest as a strong ETag. Throws
// BLOB_UNKNOWN when the repository does not hold it.
http::Response blob_response(Store& store, const http::Request& req, std::string_view repo,
                             const Digest& digest);
// /files/...: the files of file artifacts as plain downloads (files.cc).
bool is_files_path(std::string_view path);
// Throws 401 with the challenge; set only for an anonymous caller under
// enforced rules, who is asked to log in where a file is not found among
// those they may pull (so a miss never tells what exists).
using LoginPrompt = std::function<void()>;
// Only files in repositories the caller may pull (checks.may_pull) are
// considered; a full path checks require_pull first, as /v2/ does.
ExchangePtr handle_files(Store& store, const http::Request& req, const Checks& checks,
                         const LoginPrompt& ask_login);
ExchangePtr handle_upload_start(Store& store, const http::Request& req, const Route& route,
                                const Checks& checks = {});
ExchangePtr handle_upload(Store& store, const http::Request& req, const Route& route,
                          const Checks& checks = {});
ExchangePtr handle_manifest(Store& store, const http::Request& req, const Route& route,
                            const Checks& checks = {});
ExchangePtr handle_tags(Store& store, const http::Request& req, const Route& route);
ExchangePtr handle_catalog(Store& store, const http::Request& req, const Checks& checks = {});
ExchangePtr handle_referrers(Store& store, const http::Request& req, const Route& route);
// Ferry's own read-only API under /ferry/v1/ (import history).
// With checks.may_pull set, the import history shows only the attempts
// that published into a repository the caller may pull, and of their
// images only those (an admin of "*" passes no checks and sees all).
// summaries: where the tags pages keep what they read of manifests, or none.
ExchangePtr handle_ferry_v1(Store& store, const http::Request& req, const Checks& checks = {},
                            TagSummaryCache* summaries = nullptr);
// The console's read endpoints (browse.cc): /ferry/v1/catalog and
// /ferry/v1/repositories[/...]. With checks.may_pull set, only what it
// allows is listed, and a repository it refuses answers NAME_UNKNOWN (404).
bool is_browse_path(std::string_view path);
ExchangePtr handle_browse(Store& store, const http::Request& req, const Checks& checks = {},
                          TagSummaryCache* summaries = nullptr);

}  // namespace ferry::api

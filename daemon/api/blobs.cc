// GET/HEAD/DELETE /v2/<name>/blobs/<digest>
#include "base/error.h"
#include "daemon/api/handlers.h"
#include "daemon/http/range.h"

namespace ferry::api {
namespace {

std::string etag_of(const Digest& digest) {
  return "\"" + digest.str() + "\"";
}

http::Response described(http::Response r, const Digest& digest) {
  r.header("Docker-Content-Digest", digest.str());
  r.header("Accept-Ranges", "bytes");
  r.header("ETag", etag_of(digest));
  if (r.status != 416 && r.status != 304) r.header("Content-Type", "application/octet-stream");
  return r;
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// If-None-Match (RFC 9110 13.1.2): "*" or a list of entity tags compared
// weakly, so W/"x" matches "x". The header may come several times.
bool none_match_fails(const http::Request& req, const std::string& etag) {
  for (const auto& value : req.header_values("If-None-Match")) {
    std::string_view rest = value;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      std::string_view tag = trimmed(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
      if (tag == "*" || tag == etag) return true;
    }
  }
  return false;
}

// If-Range (RFC 9110 13.1.5): a Range counts only while the entity tag
// matches strongly. A date never matches: blobs have no Last-Modified.
bool range_applies(const http::Request& req, const std::string& etag) {
  auto if_range = req.header("If-Range");
  return !if_range || trimmed(*if_range) == etag;
}

}  // namespace

http::Response blob_response(Store& store, const http::Request& req, std::string_view repo,
                             const Digest& digest) {
  if (req.method() == "HEAD") {
    auto size = store.blob_size(repo, digest);
    if (!size) {
      throw Error(ErrorCode::kBlobUnknown,
                  "blob " + digest.str() + " is not in repository '" + std::string(repo) + "'");
    }
    if (none_match_fails(req, etag_of(digest)))
      return described(http::Response::empty(304), digest);
    return described(http::Response::length_only(200, *size), digest);
  }
  OpenedBlob blob = store.open_blob(repo, digest);
  // The client's copy is current: 304, checked before Range as RFC 9110 13.2.2 orders.
  if (none_match_fails(req, etag_of(digest))) return described(http::Response::empty(304), digest);
  auto range_header = req.header("Range");
  http::RangeRequest range;
  if (range_header && range_applies(req, etag_of(digest))) {
    range = http::parse_range(*range_header, blob.size);
  }
  if (range.status == http::RangeStatus::kUnsatisfiable) {
    std::string hint = blob.size
                           ? "ask for bytes=first-last inside 0-" + std::to_string(blob.size - 1)
                           : "the blob is empty; ask for it without a Range";
    http::Response r = http::Response::json(
        416,
        R"({"errors":[{"code":"RANGE_INVALID","message":"requested range is not within the blob or is malformed; )" +
            hint + R"("}]})");
    r.header("Content-Range", "bytes */" + std::to_string(blob.size));
    return described(std::move(r), digest);
  }
  if (range.status == http::RangeStatus::kSatisfiable) {
    http::Response r =
        http::Response::file(206, std::move(blob.fd), range.range.first, range.range.length());
    r.header("Content-Range", "bytes " + std::to_string(range.range.first) + "-" +
                                  std::to_string(range.range.last) + "/" +
                                  std::to_string(blob.size));
    return described(std::move(r), digest);
  }
  return described(http::Response::file(200, std::move(blob.fd), 0, blob.size), digest);
}

ExchangePtr handle_blob(Store& store, const http::Request& req, const Route& route) {
  Digest digest = Digest::parse_or_throw(route.reference);
  if (req.method() == "HEAD" || req.method() == "GET") {
    return answer(blob_response(store, req, route.name, digest));
  }
  if (req.method() == "DELETE") {
    store.delete_blob(route.name, digest);
    return answer(http::Response::empty(202));
  }
  method_not_allowed(req, "GET, HEAD, DELETE");
}

}  // namespace ferry::api

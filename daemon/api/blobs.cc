// GET/HEAD/DELETE /v2/<name>/blobs/<digest>
#include "core/error.h"
#include "daemon/api/handlers.h"
#include "daemon/http/range.h"

namespace ferry::api {
namespace {

http::Response described(http::Response r, const Digest& digest) {
  r.header("Docker-Content-Digest", digest.str());
  r.header("Accept-Ranges", "bytes");
  r.header("ETag", "\"" + digest.str() + "\"");
  if (r.status != 416) r.header("Content-Type", "application/octet-stream");
  return r;
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
    return described(http::Response::length_only(200, *size), digest);
  }
  OpenedBlob blob = store.open_blob(repo, digest);
  auto range_header = req.header("Range");
  http::RangeRequest range;
  if (range_header) range = http::parse_range(*range_header, blob.size);
  if (range.status == http::RangeStatus::kUnsatisfiable) {
    http::Response r = http::Response::json(
        416,
        R"({"errors":[{"code":"RANGE_INVALID","message":"requested range is not within the blob; ask for bytes=first-last inside 0-)" +
            std::to_string(blob.size ? blob.size - 1 : 0) + R"("}]})");
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

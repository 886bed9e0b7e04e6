// GET/HEAD/DELETE /v2/<name>/blobs/<digest>
#include "core/error.h"
#include "daemon/api/handlers.h"
#include "daemon/http/range.h"

namespace ferry::api {

ExchangePtr handle_blob(Store& store, const http::Request& req, const Route& route) {
  Digest digest = Digest::parse_or_throw(route.reference);
  auto describe = [&](http::Response r) {
    r.header("Docker-Content-Digest", digest.str());
    r.header("Accept-Ranges", "bytes");
    r.header("ETag", "\"" + digest.str() + "\"");
    if (r.status != 416) r.header("Content-Type", "application/octet-stream");
    return answer(std::move(r));
  };

  if (req.method() == "HEAD") {
    auto size = store.blob_size(route.name, digest);
    if (!size) {
      throw Error(ErrorCode::kBlobUnknown,
                  "blob " + digest.str() + " is not in repository '" + route.name + "'");
    }
    return describe(http::Response::length_only(200, *size));
  }
  if (req.method() == "GET") {
    OpenedBlob blob = store.open_blob(route.name, digest);
    auto range_header = req.header("Range");
    http::RangeRequest range;
    if (range_header) range = http::parse_range(*range_header, blob.size);
    if (range.status == http::RangeStatus::kUnsatisfiable) {
      http::Response r = http::Response::json(
          416,
          R"({"errors":[{"code":"RANGE_INVALID","message":"requested range is not within the blob; ask for bytes=first-last inside 0-)" +
              std::to_string(blob.size ? blob.size - 1 : 0) + R"("}]})");
      r.header("Content-Range", "bytes */" + std::to_string(blob.size));
      return describe(std::move(r));
    }
    if (range.status == http::RangeStatus::kSatisfiable) {
      http::Response r =
          http::Response::file(206, std::move(blob.fd), range.range.first, range.range.length());
      r.header("Content-Range", "bytes " + std::to_string(range.range.first) + "-" +
                                    std::to_string(range.range.last) + "/" +
                                    std::to_string(blob.size));
      return describe(std::move(r));
    }
    return describe(http::Response::file(200, std::move(blob.fd), 0, blob.size));
  }
  if (req.method() == "DELETE") {
    store.delete_blob(route.name, digest);
    return answer(http::Response::empty(202));
  }
  method_not_allowed(req, "GET, HEAD, DELETE");
}

}  // namespace ferry::api

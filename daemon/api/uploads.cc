// Blob uploads: POST (start, monolithic, mount), PATCH (chunks, streamed),
// PUT (close), GET (status), DELETE (cancel). Bodies stream to disk and are
// hashed on the way; nothing is held in memory.
#include "base/error.h"
#include "daemon/api/handlers.h"
#include "daemon/http/range.h"

namespace ferry::api {
namespace {

std::string upload_location(const Route& route, const std::string& id) {
  return "/v2/" + route.name + "/blobs/uploads/" + id;
}

http::Response upload_progress(unsigned status, const Route& route, const std::string& id,
                               uint64_t offset) {
  http::Response r = http::Response::empty(status);
  r.header("Location", upload_location(route, id));
  r.header("Docker-Upload-UUID", id);
  // The spec's inclusive end; "0-0" for an empty upload, as Distribution does.
  r.header("Range", "0-" + std::to_string(offset > 0 ? offset - 1 : 0));
  return r;
}

http::Response blob_created(const Route& route, const Digest& digest) {
  http::Response r = http::Response::empty(201);
  r.header("Location", "/v2/" + route.name + "/blobs/" + digest.str());
  r.header("Docker-Content-Digest", digest.str());
  return r;
}

// A body without a length is granted space this much ahead of what has
// arrived, so a quota check (a query) runs once per step, not per piece.
constexpr uint64_t kGrantStep = 4 << 20;
// No blob comes near this (1 PiB); refusing larger numbers from the wire
// keeps every sum of offsets and lengths far from wrapping.
constexpr uint64_t kMaxBlobBytes = uint64_t{1} << 50;

[[noreturn]] void too_large(uint64_t bytes) {
  throw Error(ErrorCode::kTooLarge, "an upload of " + std::to_string(bytes) +
                                        " bytes is over the largest blob Ferry takes (" +
                                        std::to_string(kMaxBlobBytes) + " bytes)");
}

// The bytes a request may still add, from its Content-Length.
std::optional<uint64_t> declared_length(const http::Request& req) {
  auto length = req.content_length();
  if (length && *length > kMaxBlobBytes) too_large(*length);
  return length;
}

// Grants a body's next piece: up to `end` bytes in all, asking for a step
// more when the body's length is not known (`planned` 0).
uint64_t want_for(uint64_t end, uint64_t planned) {
  if (end > kMaxBlobBytes) too_large(end);
  return planned >= end ? planned : end + kGrantStep;
}

std::optional<Digest> digest_query(const http::Request& req, const char* name) {
  auto value = req.query(name);
  if (!value) return std::nullopt;
  return Digest::parse_or_throw(*value);
}

// POST ?digest=: the whole blob in one request body, held in the upload
// ledger (and so counted against the quota) as it lands, until stored.
class MonolithicUpload final : public http::Exchange {
 public:
  MonolithicUpload(Store& store, Route route, Digest digest, Checks checks,
                   std::optional<uint64_t> length)
      : store_(store),
        route_(std::move(route)),
        digest_(std::move(digest)),
        checks_(std::move(checks)),
        hold_(store.upload_ledger(), route_.name, checks_.writer),
        planned_(length.value_or(0)),
        writer_(store.begin_blob(digest_.algorithm())) {
    // Refused before a byte is read when the length is known; otherwise
    // as the body streams in.
    hold_.reserve(planned_, planned_, checks_.admit);
  }
  void on_body(const char* data, size_t size) override {
    uint64_t end = writer_.size() + size;
    hold_.reserve(end, want_for(end, planned_), checks_.admit);
    writer_.write(data, size);
  }
  http::Response respond() override {
    store_.commit_blob(route_.name, writer_, digest_);
    return blob_created(route_, digest_);
  }

 private:
  Store& store_;
  Route route_;
  Digest digest_;
  Checks checks_;
  UploadLedger::WriteHold hold_;
  uint64_t planned_;
  BlobWriter writer_;
};

// PATCH (a chunk) and PUT (optional last chunk, then close).
class ChunkUpload final : public http::Exchange {
 public:
  ChunkUpload(Route route, Store::Upload upload, std::optional<http::ByteRange> range,
              std::optional<Digest> close_with, Checks checks, uint64_t planned)
      : route_(std::move(route)),
        upload_(std::move(upload)),
        range_(range),
        close_with_(std::move(close_with)),
        checks_(std::move(checks)),
        planned_(planned) {}

  void on_body(const char* data, size_t size) override {
    received_ += size;
    if (range_ && received_ > range_->length()) {
      throw Error(ErrorCode::kRangeInvalid, "chunk is longer than its Content-Range " +
                                                std::to_string(range_->first) + "-" +
                                                std::to_string(range_->last));
    }
    uint64_t end = upload_.offset() + size;
    if (end > upload_.granted()) {
      try {
        upload_.reserve(end, want_for(end, planned_), checks_.admit);
      } catch (...) {
        // Refused half-way (the quota): this request's bytes go, so the
        // session holds what it held before and may resume from there.
        upload_.rollback();
        throw;
      }
    }
    upload_.append(data, size);
  }

  http::Response respond() override {
    if (range_ && received_ != range_->length()) {
      throw Error(ErrorCode::kBlobUploadInvalid,
                  "chunk has " + std::to_string(received_) + " bytes but Content-Range says " +
                      std::to_string(range_->length()) + "; upload is now at offset " +
                      std::to_string(upload_.offset()));
    }
    if (close_with_) {
      // Its bytes were counted against the quota as they landed.
      upload_.finish(*close_with_);
      return blob_created(route_, *close_with_);
    }
    return upload_progress(202, route_, upload_.id(), upload_.offset());
  }

 private:
  Route route_;
  Store::Upload upload_;
  std::optional<http::ByteRange> range_;
  std::optional<Digest> close_with_;
  Checks checks_;
  uint64_t planned_;  // the session's size after this request, when its length is known; else 0
  uint64_t received_ = 0;
};

// Checks a chunk's Content-Range against the upload's offset before a byte
// of it is read: chunks must arrive in order.
std::optional<http::ByteRange> chunk_range(const http::Request& req, const Store::Upload& upload) {
  auto header = req.header("Content-Range");
  if (!header) return std::nullopt;
  auto range = http::parse_content_range(*header);
  if (!range || range->last >= kMaxBlobBytes) {
    throw Error(ErrorCode::kRangeInvalid,
                "malformed or out-of-range Content-Range '" + header->substr(0, 100) +
                    "'; send first-last, both under " + std::to_string(kMaxBlobBytes));
  }
  if (range->first != upload.offset()) {
    throw Error(ErrorCode::kRangeInvalid,
                "chunk starts at byte " + std::to_string(range->first) + " but the upload is at " +
                    std::to_string(upload.offset()) + "; resume from there");
  }
  if (auto length = declared_length(req); length && *length != range->length()) {
    throw Error(ErrorCode::kRangeInvalid, "Content-Length " + std::to_string(*length) +
                                              " does not match Content-Range " + *header);
  }
  return range;
}

}  // namespace

ExchangePtr handle_upload_start(Store& store, const http::Request& req, const Route& route,
                                const Checks& checks) {
  if (req.method() != "POST") method_not_allowed(req, "POST");
  if (auto mount = digest_query(req, "mount")) {
    // Under access control a blob is mounted only from a repository the
    // caller may pull; otherwise the client uploads it.
    auto from = req.query("from");
    // A mirror names the source as upstream does, in the same ns.
    if (from) from = mirrored_name(*from, req.query("ns"));
    bool may = !checks.may_pull || (from && checks.may_pull(*from));
    if (may && store.mount_blob(route.name, *mount, from)) {
      return answer(blob_created(route, *mount));
    }
    // Not mountable: fall back to a regular upload session, as the spec says.
  } else if (auto digest = digest_query(req, "digest")) {
    auto length = declared_length(req);
    store.require_free_space();
    return std::make_unique<MonolithicUpload>(store, route, std::move(*digest), checks, length);
  }
  store.require_free_space();
  // Admitted under the ledger's lock: the limits on open sessions, and a
  // namespace at its quota takes no more.
  std::string id = store.start_upload(route.name, checks.writer, checks.admit);
  return answer(upload_progress(202, route, id, 0));
}

ExchangePtr handle_upload(Store& store, const http::Request& req, const Route& route,
                          const Checks& checks) {
  if (req.method() == "GET") {
    return answer(upload_progress(204, route, route.reference,
                                  store.upload_offset(route.name, route.reference)));
  }
  if (req.method() == "DELETE") {
    store.cancel_upload(route.name, route.reference);
    return answer(http::Response::empty(204));
  }
  if (req.method() == "PATCH" || req.method() == "PUT") {
    std::optional<Digest> close_with;
    if (req.method() == "PUT") {
      close_with = digest_query(req, "digest");
      if (!close_with) {
        throw Error(ErrorCode::kDigestInvalid,
                    "closing an upload needs ?digest=<digest> of the whole blob");
      }
    }
    // Closing with no body writes nothing; anything else needs the space.
    auto length = declared_length(req);
    if (!length || *length > 0) store.require_free_space();
    Store::Upload upload = store.open_upload(route.name, route.reference);
    auto range = chunk_range(req, upload);
    uint64_t planned = 0;
    if (length && *length > 0) {
      // The whole chunk against the quota before a byte of it is read.
      planned = upload.offset() + *length;
      upload.reserve(planned, planned, checks.admit);
    }
    return std::make_unique<ChunkUpload>(route, std::move(upload), range, std::move(close_with),
                                         checks, planned);
  }
  method_not_allowed(req, "GET, PATCH, PUT, DELETE");
}

}  // namespace ferry::api

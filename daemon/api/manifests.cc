// GET/HEAD/PUT/DELETE /v2/<name>/manifests/<reference>
#include "base/error.h"
#include "daemon/api/handlers.h"

namespace ferry::api {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// True when any Accept line lists `type` or a wildcard covering it. Clients
// send several Accept lines, each possibly a comma-separated list.
bool accepts(const std::vector<std::string>& accept_lines, std::string_view type) {
  if (accept_lines.empty()) return true;
  std::string_view major = type.substr(0, type.find('/'));
  for (std::string_view line : accept_lines) {
    while (!line.empty()) {
      auto comma = line.find(',');
      std::string_view item =
          trim(line.substr(0, comma).substr(0, line.substr(0, comma).find(';')));
      if (item == type || item == "*/*" ||
          (item.size() == major.size() + 2 && item.substr(0, major.size()) == major &&
           item.substr(major.size()) == "/*")) {
        return true;
      }
      if (comma == std::string_view::npos) break;
      line.remove_prefix(comma + 1);
    }
  }
  return false;
}

// Buffers a manifest PUT (bounded by the configured limit, and reserved from
// the server's body budget before it is read: http::Dispatch), then stores it.
class ManifestPut final : public http::Exchange {
 public:
  ManifestPut(Store& store, Route route, std::string content_type, Checks checks)
      : store_(store),
        route_(std::move(route)),
        content_type_(std::move(content_type)),
        checks_(std::move(checks)) {}

  void on_body(const char* data, size_t size) override {
    if (body_.size() + size > store_.options().max_manifest_bytes) {
      throw Error(ErrorCode::kTooLarge, "manifest is over the limit of " +
                                            std::to_string(store_.options().max_manifest_bytes) +
                                            " bytes");
    }
    body_.append(data, size);
  }
  uint64_t buffers_at_most() const override { return store_.options().max_manifest_bytes; }
  void will_buffer(uint64_t bytes) override { body_.reserve(bytes); }

  http::Response respond() override {
    if (checks_.before_tag_change && route_.reference.find(':') == std::string::npos) {
      // Only moving an existing tag counts as a change; a new tag, or the
      // same manifest pushed again, does not.
      std::optional<std::string> current;
      try {
        current = store_.resolve_manifest(route_.name, route_.reference, false).digest;
      } catch (const Error&) {
      }
      std::string incoming = digest_of(body_).str();
      if (current && *current != incoming)
        checks_.before_tag_change(route_.reference, *current, incoming);
    }
    // Held (and counted against the quota) until it is stored.
    UploadLedger::WriteHold hold(store_.upload_ledger(), route_.name, checks_.writer);
    hold.reserve(body_.size(), body_.size(), checks_.admit);
    // Checked again where the tag moves, inside the store's transaction.
    Store::TagMoveCheck recheck;
    if (checks_.before_tag_change) {
      recheck = [this](const std::string&, const std::string& tag, const std::string& from,
                       const std::string& to) { checks_.before_tag_change(tag, from, to); };
    }
    PutManifestResult result = store_.put_manifest(route_.name, route_.reference, content_type_,
                                                   body_, recheck, checks_.pusher);
    http::Response r = http::Response::empty(201);
    r.header("Location", "/v2/" + route_.name + "/manifests/" + result.digest.str());
    r.header("Docker-Content-Digest", result.digest.str());
    if (result.subject) r.header("OCI-Subject", result.subject->str());
    return r;
  }

 private:
  Store& store_;
  Route route_;
  std::string content_type_;
  Checks checks_;
  std::string body_;
};

}  // namespace

ExchangePtr handle_manifest(Store& store, const http::Request& req, const Route& route,
                            const Checks& checks) {
  if (req.method() == "GET" || req.method() == "HEAD") {
    ManifestInfo info = store.resolve_manifest(route.name, route.reference, !req.is_head());
    // By digest the client names exact bytes and gets them; by tag it gets
    // them only if it said it understands their type (as Distribution does).
    bool by_tag = route.reference.find(':') == std::string::npos;
    if (by_tag && !accepts(req.header_values("Accept"), info.media_type)) {
      throw Error(ErrorCode::kManifestUnknown,
                  "manifest '" + route.reference + "' is " + info.media_type +
                      ", which this client's Accept header does not list");
    }
    http::Response r = req.is_head() ? http::Response::length_only(200, info.size)
                                     : http::Response::file(200, std::move(info.fd), 0, info.size);
    r.header("Content-Type", info.media_type);
    r.header("Docker-Content-Digest", info.digest);
    r.header("ETag", "\"" + info.digest + "\"");
    return answer(std::move(r));
  }
  if (req.method() == "PUT") {
    if (auto length = req.content_length();
        length && *length > store.options().max_manifest_bytes) {
      throw Error(ErrorCode::kTooLarge, "manifest is " + std::to_string(*length) +
                                            " bytes, over the limit of " +
                                            std::to_string(store.options().max_manifest_bytes));
    }
    store.require_free_space();
    return std::make_unique<ManifestPut>(store, route, req.header("Content-Type").value_or(""),
                                         checks);
  }
  if (req.method() == "DELETE") {
    if (checks.before_tag_change) {
      if (auto digest = Digest::parse(route.reference)) {
        for (const auto& tag : store.tags_of(route.name, *digest))
          checks.before_tag_change(tag, digest->str(), "");
      } else {
        checks.before_tag_change(route.reference, "", "");
      }
    }
    store.delete_manifest(route.name, route.reference);
    return answer(http::Response::empty(202));
  }
  method_not_allowed(req, "GET, HEAD, PUT, DELETE");
}

}  // namespace ferry::api

#include "tests/support/in_process.h"

#include <gtest/gtest.h>
#include <strings.h>
#include <unistd.h>

#include <stdexcept>

#include "access/accounts.h"
#include "daemon/api/api.h"
#include "daemon/api/errors.h"
#include "daemon/http/dispatch.h"
#include "daemon/http/form.h"
#include "signing/text_format.h"
#include "tests/support/manifests.h"

namespace ferry::testing {
namespace {

using http::hex_value;

// Percent-decoding as libmicrohttpd's MHD_http_unescape does it; sets `nul`
// and cuts the text at a decoded NUL, as the C string the server sees.
std::string unescape(std::string_view text, bool plus_is_space, bool& nul) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
        hex_value(text[i + 2]) >= 0) {
      c = static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (c == '\0') {
      nul = true;
      break;
    }
    out += c;
  }
  return out;
}

std::string read_fd(int fd, uint64_t offset, uint64_t length) {
  std::string out(length, '\0');
  uint64_t done = 0;
  while (done < length) {
    ssize_t n = ::pread(fd, out.data() + done, length - done, static_cast<off_t>(offset + done));
    if (n <= 0) throw std::runtime_error("cannot read a file body");
    done += static_cast<uint64_t>(n);
  }
  return out;
}

// The bytes libmicrohttpd would send for `r`, and the Content-Length it adds.
Reply to_reply(http::Response r, bool head) {
  Reply reply;
  reply.status = r.status;
  reply.headers = r.headers;
  uint64_t length = r.body_size();
  switch (r.body) {
    case http::Response::Body::kEmpty: break;
    case http::Response::Body::kBytes: reply.body = std::move(r.bytes); break;
    case http::Response::Body::kFile: reply.body = read_fd(r.fd.get(), r.offset, r.length); break;
    case http::Response::Body::kLengthOnly: length = r.length; break;
  }
  if (head) reply.body.clear();
  reply.headers.emplace_back("Content-Length", std::to_string(length));
  return reply;
}

}  // namespace

std::optional<std::string> Reply::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && strncasecmp(key.data(), name.data(), key.size()) == 0) {
      return value;
    }
  }
  return std::nullopt;
}

std::string Reply::error_code() const {
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.contains("errors") || !doc["errors"].is_array() ||
      doc["errors"].empty()) {
    return "";
  }
  return doc["errors"][0].value("code", "");
}

nlohmann::json Reply::json() const {
  return nlohmann::json::parse(body);
}

http::Request make_request(std::string method, std::string_view target, const Headers& headers) {
  bool nul = false;
  auto question = target.find('?');
  http::Request request(std::move(method), unescape(target.substr(0, question), false, nul));
  if (question != std::string_view::npos) {
    std::string_view query = target.substr(question + 1);
    while (!query.empty()) {
      auto amp = query.find('&');
      std::string_view pair = query.substr(0, amp);
      query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
      if (pair.empty()) continue;
      auto eq = pair.find('=');
      std::optional<std::string> value;
      if (eq != std::string_view::npos) value = unescape(pair.substr(eq + 1), true, nul);
      request.add_query(unescape(pair.substr(0, eq), true, nul), std::move(value));
    }
  }
  for (const auto& [name, value] : headers) request.add_header(name, value);
  request.set_client_address("192.0.2.1").set_nul(nul);
  return request;
}

Reply drive(const http::Router& router, const http::ErrorRenderer& render_error,
            const http::Request& request, std::string_view body, size_t piece) {
  http::Dispatch dispatch(router, render_error, request);
  if (dispatch.answer_now()) {
    Reply reply = to_reply(dispatch.finish(), request.is_head());
    reply.closed = true;
    return reply;
  }
  for (size_t at = 0; at < body.size(); at += piece) {
    if (!dispatch.on_body(body.data() + at, std::min(piece, body.size() - at))) return Reply{};
  }
  return to_reply(dispatch.finish(), request.is_head());
}

std::string basic(std::string_view user, std::string_view secret) {
  return "Basic " + signing::encode_base64(std::string(user) + ":" + std::string(secret));
}

std::unique_ptr<api::Gate> make_gate(Store& store, const RegistryOptions& options) {
  return std::make_unique<api::Gate>(
      store, api::GateOptions{options.open, options.loopback,
                              store.options().data_dir + "/token.key", std::chrono::seconds(300),
                              options.forwarding, api::UploadLimits{}, options.session_ttl});
}

InProcess::InProcess(RegistryOptions options) {
  StoreOptions store_options;
  store_options.data_dir = dir_.path();
  store_options.max_manifest_bytes = options.max_manifest_bytes;
  store_options.min_free = options.min_free;
  store_ = std::make_unique<Store>(store_options);
  if (options.metrics) metrics_ = std::make_unique<Metrics>();
  if (options.gate) gate_ = make_gate(*store_, options);
  if (options.jobs) {
    GcOptions gc;
    gc.grace = std::chrono::seconds(0);
    jobs_ = std::make_unique<Jobs>(*store_, metrics_.get(), gc, ScrubOptions{options.scrub_rate});
  }
  router_ = api::make_router(*store_, metrics_.get(), gate_.get(), jobs_.get());
}

InProcess::~InProcess() = default;

Reply InProcess::send(http::Request request, std::string_view body) {
  std::string_view m = request.method();
  if ((m == "PUT" || m == "POST" || m == "PATCH") && !request.header("Content-Length") &&
      !request.header("Transfer-Encoding")) {
    request.add_header("Content-Length", std::to_string(body.size()));
  }
  return drive(router_, api::render_error, request, body);
}

Reply InProcess::get(std::string_view target, const Headers& headers) {
  return send(make_request("GET", target, headers));
}
Reply InProcess::head(std::string_view target, const Headers& headers) {
  return send(make_request("HEAD", target, headers));
}
Reply InProcess::del(std::string_view target, const Headers& headers) {
  return send(make_request("DELETE", target, headers));
}
Reply InProcess::put(std::string_view target, std::string_view body, const Headers& headers) {
  return send(make_request("PUT", target, headers), body);
}
Reply InProcess::post(std::string_view target, std::string_view body, const Headers& headers) {
  return send(make_request("POST", target, headers), body);
}
Reply InProcess::patch(std::string_view target, std::string_view body, const Headers& headers) {
  return send(make_request("PATCH", target, headers), body);
}

Digest InProcess::push_blob(const std::string& repo, const std::string& data,
                            const Headers& headers) {
  Digest d = digest_of(data);
  Reply r = post("/v2/" + repo + "/blobs/uploads/?digest=" + d.str(), data, headers);
  EXPECT_EQ(r.status, 201u) << r.body;
  return d;
}

Digest InProcess::push_manifest(const std::string& repo, const std::string& reference,
                                const std::string& body, const Headers& headers,
                                const std::string& media_type) {
  Headers with_type = headers;
  with_type.emplace_back("Content-Type", media_type);
  Reply r = put("/v2/" + repo + "/manifests/" + reference, body, with_type);
  EXPECT_EQ(r.status, 201u) << r.body;
  return digest_of(body);
}

Digest InProcess::push_image(const std::string& repo, const std::string& reference,
                             const std::string& layer, const Headers& headers) {
  Digest config = push_blob(repo, "{}", headers);
  Digest l = push_blob(repo, layer, headers);
  return push_manifest(repo, reference, oci_image_manifest(config, 2, l, layer.size()), headers);
}

void InProcess::with_accounts(const std::function<void(access::Accounts&)>& change) {
  access::Accounts accounts(store_->database());
  change(accounts);
  if (gate_) gate_->refresh();
}

void InProcess::add_user(const std::string& name, const std::string& password) {
  with_accounts([&](access::Accounts& a) { a.add_user(name, password); });
}

void InProcess::grant(const std::string& user, const std::string& name_space,
                      const std::string& role) {
  with_accounts([&](access::Accounts& a) { a.grant(user, name_space, *access::parse_role(role)); });
}

void InProcess::add_console_users(const std::string& password) {
  add_user("root", password);
  grant("root", "*", "admin");
  add_user("lead", password);
  grant("lead", "team", "admin");
  add_user("viewer", password);
  grant("viewer", "team", "reader");
}

}  // namespace ferry::testing

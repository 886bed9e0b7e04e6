// The API driven without a socket, the way CNCF Distribution tests its
// handlers: a request value goes through api::make_router and the same
// dispatch step as the server (daemon/http/dispatch.h), errors rendered by
// api::render_error, and the response comes back as a client would read it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "access/accounts.h"
#include "core/digest.h"
#include "core/store.h"
#include "daemon/api/gate.h"
#include "daemon/http/exchange.h"
#include "daemon/http/forwarded.h"
#include "daemon/jobs.h"
#include "daemon/metrics.h"
#include "tests/support/temp_dir.h"

namespace ferry::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;

// A response as it would arrive: status, headers, body bytes.
struct Reply {
  unsigned status = 0;  // 0: the connection was cut without an answer
  bool closed = false;  // answered before the body was read: the connection closes
  Headers headers;
  std::string body;

  // The first value of a header (names without case); nullopt when absent.
  std::optional<std::string> header(std::string_view name) const;
  // The OCI error code of an error body; "" when the body is not one.
  std::string error_code() const;
  nlohmann::json json() const;  // throws on a body that is not JSON
};

// A request as the server builds it from libmicrohttpd: `target` is
// PATH[?QUERY], both percent-decoded ('+' is a space in the query); a %00
// sets the NUL flag and cuts the text there, as libmicrohttpd's C strings do.
http::Request make_request(std::string method, std::string_view target,
                           const Headers& headers = {});

// What the server does with one request and its body, fed in pieces of at
// most `piece` bytes. File bodies are read from their descriptor; HEAD
// answers carry Content-Length as libmicrohttpd adds it, and no body.
Reply drive(const http::Router& router, const http::ErrorRenderer& render_error,
            const http::Request& request, std::string_view body = {}, size_t piece = 64 * 1024);

// HTTP Basic credentials for an Authorization header.
std::string basic(std::string_view user, std::string_view secret);

struct RegistryOptions {
  uint64_t max_manifest_bytes = 4 << 20;
  uint64_t min_free = 0;
  bool gate = false;                            // with access control (api::Gate)
  bool open = false;                            // GateOptions::open (auth.open)
  bool loopback = true;                         // GateOptions::loopback
  bool metrics = false;                         // serve /metrics
  http::Forwarding forwarding;                  // GateOptions::forwarding
  std::chrono::seconds session_ttl{12 * 3600};  // GateOptions::session_ttl
  bool jobs = false;  // POST /ferry/v1/gc and scrub (a Jobs with no grace, this scrub rate)
  uint64_t scrub_rate = 0;
};

// Every test's way to a Gate: the one place its construction is written.
std::unique_ptr<api::Gate> make_gate(Store& store, const RegistryOptions& options);

// A Store in a temp dir behind api::make_router.
class InProcess {
 public:
  explicit InProcess(RegistryOptions options = {});
  ~InProcess();

  Store& store() { return *store_; }
  const std::string& data_dir() const { return dir_.path(); }

  // Sends the request with `body`. A PUT, POST or PATCH without
  // Content-Length or Transfer-Encoding gets Content-Length, as curl sends it.
  Reply send(http::Request request, std::string_view body = {});
  Reply get(std::string_view target, const Headers& headers = {});
  Reply head(std::string_view target, const Headers& headers = {});
  Reply del(std::string_view target, const Headers& headers = {});
  Reply put(std::string_view target, std::string_view body, const Headers& headers = {});
  Reply post(std::string_view target, std::string_view body = {}, const Headers& headers = {});
  Reply patch(std::string_view target, std::string_view body, const Headers& headers = {});

  // Through the API, asserting success: a monolithic blob upload; a
  // manifest PUT (OCI image manifest type unless given) returning its digest.
  Digest push_blob(const std::string& repo, const std::string& data, const Headers& headers = {});
  Digest push_manifest(
      const std::string& repo, const std::string& reference, const std::string& body,
      const Headers& headers = {},
      const std::string& media_type = "application/vnd.oci.image.manifest.v1+json");
  // Config, one layer and a manifest under `reference`; returns the manifest's digest.
  Digest push_image(const std::string& repo, const std::string& reference, const std::string& layer,
                    const Headers& headers = {});

  // Access rules, written as ferryctl writes them (access::Accounts); the
  // gate sees each change on the next request.
  void with_accounts(const std::function<void(access::Accounts&)>& change);
  void add_user(const std::string& name, const std::string& password);
  void grant(const std::string& user, const std::string& name_space, const std::string& role);
  // The console tests' cast, all with `password`: root (admin of "*"), lead
  // (admin of team) and viewer (reader of team).
  void add_console_users(const std::string& password);

 private:
  TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<api::Gate> gate_;
  std::unique_ptr<Jobs> jobs_;  // after the store, before the router: stopped first
  http::Router router_;
};

}  // namespace ferry::testing

// Asserts an OCI error answer: its status and the code in its JSON body.
#define EXPECT_API_ERROR(reply, expected_status, expected_code)                       \
  do {                                                                                \
    const ::ferry::testing::Reply& api_error_reply_ = (reply);                        \
    EXPECT_EQ(api_error_reply_.status, expected_status) << api_error_reply_.body;     \
    EXPECT_EQ(api_error_reply_.error_code(), expected_code) << api_error_reply_.body; \
  } while (0)

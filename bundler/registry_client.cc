#include "bundler/registry_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>

#include "bundle/error.h"
#include "client/curl_handle.h"
#include "client/saved_logins.h"
#include "core/media_types.h"
#include "core/printable.h"
#include "core/reference.h"
#include "signing/text_format.h"

namespace ferry::cli {
namespace {

using bundle::BundleErrorKind;

[[noreturn]] void fail(const std::string& why) {
  throw Error(BundleErrorKind::kSource, why);
}

void init_curl_once() {
  if (!client::curl_ready()) fail("libcurl could not be initialised");
}

// The value of key="value" (or key=value) in a WWW-Authenticate header.
std::string challenge_param(const std::string& header, const std::string& key) {
  size_t at = 0;
  while ((at = header.find(key + "=", at)) != std::string::npos) {
    bool starts = at == 0 || header[at - 1] == ' ' || header[at - 1] == ',';
    at += key.size() + 1;
    if (!starts) continue;
    if (at < header.size() && header[at] == '"') {
      auto end = header.find('"', at + 1);
      return header.substr(at + 1, end == std::string::npos ? std::string::npos : end - at - 1);
    }
    auto end = header.find(',', at);
    return header.substr(at, end == std::string::npos ? std::string::npos : end - at);
  }
  return "";
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

constexpr const char* kManifestAccept =
    "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json, "
    "application/vnd.docker.distribution.manifest.v2+json";

// The next page's path from a Link header: <PATH?QUERY>; rel="next".
std::string next_page(const std::string& link) {
  if (link.find("rel=\"next\"") == std::string::npos) return "";
  auto open = link.find('<'), close = link.find('>');
  if (open == std::string::npos || close == std::string::npos || close < open) return "";
  return link.substr(open + 1, close - open - 1);
}

// One transfer's state for libcurl's callbacks: the reply's headers as they
// come, 2xx bodies streamed to on_data, error bodies kept (4 KiB at most).
// Reply is RegistryClient's (private) reply type.
template <typename Reply>
struct Transfer {
  CURL* curl;
  const std::function<void(const char*, size_t)>* on_data;
  Reply reply;
  std::exception_ptr failure;

  static size_t on_header(char* data, size_t, size_t n, void* p) {
    auto* st = static_cast<Transfer*>(p);
    std::string line(data, n);
    if (line.rfind("HTTP/", 0) == 0) st->reply = Reply{};  // a new response (redirect)
    auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = lower(line.substr(0, colon));
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(" \t"));
      value.erase(value.find_last_not_of(" \t\r\n") + 1);
      if (name == "content-type") st->reply.content_type = value;
      if (name == "www-authenticate") st->reply.challenge = value;
      if (name == "location") st->reply.location = value;
      if (name == "link") st->reply.link = value;
    }
    return n;
  }

  static size_t on_body(char* data, size_t, size_t n, void* p) {
    auto* st = static_cast<Transfer*>(p);
    long status = 0;
    curl_easy_getinfo(st->curl, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 200 && status < 300) {
      try {
        (*st->on_data)(data, n);
      } catch (...) {
        st->failure = std::current_exception();
        return 0;  // aborts the transfer
      }
    } else if (st->reply.error_body.size() < 4096) {
      st->reply.error_body.append(data, std::min<size_t>(n, 4096));
    }
    return n;
  }
};

// The method, body, headers and limits of one request.
void set_transfer_options(CURL* c, const std::string& url, const std::string& method,
                          std::optional<std::string_view> body_or_none, curl_slist* headers,
                          const std::string& ca_file) {
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  if (method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (method != "GET") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
    std::string_view body = body_or_none.value_or(std::string_view());
    // Never a null pointer: that would make libcurl read the body from stdin.
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.empty() ? "" : body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);  // blob stores redirect; auth is not forwarded
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);  // a stalled transfer fails after a minute
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "ferry/" FERRY_VERSION);
  if (!ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, ca_file.c_str());
}

// The registry's own reason from an OCI error body ({"errors":[{"message":
// ...}]}), escaped for a terminal; empty when it gave none.
std::string registry_reason(const std::string& error_body) {
  auto doc = nlohmann::json::parse(error_body, nullptr, false);
  if (!doc.is_object() || !doc.contains("errors") || !doc["errors"].is_array() ||
      doc["errors"].empty() || !doc["errors"][0].is_object()) {
    return "";
  }
  const auto& first = doc["errors"][0];
  if (!first.contains("message") || !first["message"].is_string()) return "";
  return printable(first["message"].get<std::string>().substr(0, 500));
}

}  // namespace

RegistryClient::RegistryClient(std::string host, bool insecure, std::string ca_file)
    : host_(std::move(host)),
      base_((insecure ? "http://" : "https://") + registry_api_host(host_)),
      ca_file_(std::move(ca_file)) {
  init_curl_once();
}

RegistryClient::Reply RegistryClient::attempt(const Request& request,
                                              const std::string& authorization,
                                              const DataFn& on_data) {
  const std::string url = absolute(request.target);
  client::CurlHandle curl(curl_easy_init());
  if (!curl) fail("libcurl could not make a handle");
  client::CurlHeaders headers;
  auto add_header = [&](const std::string& h) {
    headers.reset(curl_slist_append(headers.release(), h.c_str()));
  };
  if (!request.accept.empty()) add_header("Accept: " + request.accept);
  if (!authorization.empty()) add_header("Authorization: " + authorization);
  if (!request.content_type.empty()) add_header("Content-Type: " + request.content_type);
  if (!request.content_range.empty()) add_header("Content-Range: " + request.content_range);

  using State = Transfer<Reply>;
  State state{curl.get(), &on_data, {}, nullptr};
  CURL* c = curl.get();
  set_transfer_options(c, url, request.method, request.body, headers.get(), ca_file_);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &State::on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &state);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &State::on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &state);
  CURLcode rc = curl_easy_perform(c);
  if (state.failure) std::rethrow_exception(state.failure);
  if (rc != CURLE_OK) {
    std::string hint = base_.rfind("https", 0) == 0
                           ? "; for a registry that speaks plain HTTP, pass --insecure"
                           : "";
    fail("cannot fetch " + url + ": " + curl_easy_strerror(rc) + hint);
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &state.reply.status);
  return state.reply;
}

void RegistryClient::answer_challenge(const std::string& challenge) {
  auto creds = client::find_credentials(host_);
  std::string basic =
      creds ? "Basic " + signing::encode_base64(creds->username + ":" + creds->password) : "";
  std::string scheme = lower(challenge.substr(0, challenge.find(' ')));
  if (scheme == "basic") {
    if (!creds) {
      fail(host_ +
           " asks for a login and no credentials for it were found; add them with "
           "`podman login` or `docker login` (or set REGISTRY_AUTH_FILE)");
    }
    std::lock_guard lock(mu_);
    authorization_ = basic;
    return;
  }
  if (scheme != "bearer") fail(host_ + " asks for an unsupported login scheme: " + challenge);
  std::string realm = challenge_param(challenge, "realm");
  if (realm.empty()) fail(host_ + " sent a bearer challenge without a realm");
  std::string url = realm;
  client::CurlHandle esc(curl_easy_init());
  auto escape = [&](const std::string& v) {
    std::unique_ptr<char, decltype(&curl_free)> e(
        curl_easy_escape(esc.get(), v.c_str(), static_cast<int>(v.size())), curl_free);
    return std::string(e ? e.get() : "");
  };
  char sep = url.find('?') == std::string::npos ? '?' : '&';
  for (const char* key : {"service", "scope"}) {
    std::string v = challenge_param(challenge, key);
    if (v.empty()) continue;
    url += sep + std::string(key) + "=" + escape(v);
    sep = '&';
  }
  std::string body;
  Request token_request;
  token_request.target = url;
  token_request.accept = "application/json";
  Reply r = attempt(token_request, basic, [&](const char* d, size_t n) {
    if (body.size() + n > (1 << 20)) fail("the token reply is too large");
    body.append(d, n);
  });
  if (r.status == 401 || r.status == 403) {
    fail(creds ? "the token service of " + host_ + " refused the credentials from " + creds->from
               : host_ +
                     " needs a login and no credentials for it were found; add them with "
                     "`podman login` or `docker login` (or set REGISTRY_AUTH_FILE)");
  }
  if (r.status != 200)
    fail("the token service of " + host_ + " answered " + std::to_string(r.status));
  auto doc = nlohmann::json::parse(body, nullptr, false);
  std::string token = doc.is_object() ? doc.value("token", doc.value("access_token", "")) : "";
  if (token.empty()) fail("the token service of " + host_ + " sent no token");
  std::lock_guard lock(mu_);
  authorization_ = "Bearer " + token;
}

std::string RegistryClient::absolute(const std::string& target) const {
  if (target.rfind("http://", 0) == 0 || target.rfind("https://", 0) == 0) return target;
  return base_ + target;
}

RegistryClient::Reply RegistryClient::send(const Request& request, const DataFn& on_data,
                                           const std::vector<long>& tolerated) {
  for (int round = 0;; ++round) {
    std::string authorization;
    {
      std::lock_guard lock(mu_);
      authorization = authorization_;
    }
    Reply r = attempt(request, authorization, on_data);
    if (r.status == 401 && round == 0 && !r.challenge.empty()) {
      answer_challenge(r.challenge);
      continue;
    }
    if ((r.status >= 200 && r.status < 300) ||
        std::find(tolerated.begin(), tolerated.end(), r.status) != tolerated.end()) {
      return r;
    }
    std::string target =
        request.target.rfind("http", 0) == 0 ? request.target : host_ + request.target;
    std::string where = request.method + " " + target.substr(0, target.find('?'));
    // A 403 that says why (an immutable tag, a quota) is not about the
    // login: pass the registry's words on as they are.
    std::string reason = registry_reason(r.error_body);
    if (r.status == 403 && !reason.empty()) fail(where + ": refused (403): " + reason);
    if (r.status == 401 || r.status == 403) {
      auto creds = client::find_credentials(host_);
      fail(where + ": access denied (" + std::to_string(r.status) + ")" +
           (creds ? "; the credentials from " + creds->from + " do not allow it"
                  : "; log in with `podman login` or `docker login` first"));
    }
    if (r.status == 404) fail(where + ": not found (404)");
    fail(where + ": HTTP " + std::to_string(r.status) + " " + r.error_body.substr(0, 300));
  }
}

RegistryClient::Reply RegistryClient::get(const std::string& path, const std::string& accept,
                                          const DataFn& on_data) {
  Request request;
  request.target = path;
  request.accept = accept;
  return send(request, on_data);
}

bool RegistryClient::has_blob(const std::string& repository, const Digest& digest) {
  Request request;
  request.method = "HEAD";
  request.target = "/v2/" + repository + "/blobs/" + digest.str();
  return send(request, [](const char*, size_t) {}, {404}).status != 404;
}

std::optional<std::string> RegistryClient::get_referrers(const std::string& repository,
                                                         const Digest& subject) {
  Request request;
  request.target = "/v2/" + repository + "/referrers/" + subject.str();
  request.accept = std::string(media::kOciIndex);
  std::string body;
  Reply r = send(request,
                 [&](const char* d, size_t n) {
                   if (body.size() + n > (16 << 20))
                     fail("the referrers of " + subject.str() + " are too many");
                   body.append(d, n);
                 },
                 {400, 404, 405});
  if (r.status != 200) return std::nullopt;
  // A registry without the API may answer 200 with something else (a UI page).
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (!doc.is_object() || !doc.contains("manifests") || !doc["manifests"].is_array())
    return std::nullopt;
  return body;
}

std::vector<std::string> RegistryClient::list_tags(const std::string& repository) {
  std::vector<std::string> tags;
  std::string path = "/v2/" + repository + "/tags/list?n=1000";
  for (int page = 0; !path.empty() && page < 1000; ++page) {
    Request request;
    request.target = path;
    request.accept = "application/json";
    std::string body;
    Reply r = send(request,
                   [&](const char* d, size_t n) {
                     if (body.size() + n > (16 << 20))
                       fail("the tag list of " + repository + " is too large");
                     body.append(d, n);
                   },
                   {401, 403, 404});
    if (r.status == 401 || r.status == 403) {
      // Some registries let a puller fetch by name but not list: no tag-schema
      // referrers then, rather than no bundle.
      std::fprintf(stderr,
                   "ferry: %s does not let this login list the tags of %s (%ld); "
                   "cosign .sig tags there are not carried\n",
                   printable(host_).c_str(), printable(repository).c_str(), r.status);
      break;
    }
    if (r.status == 404) break;
    auto doc = nlohmann::json::parse(body, nullptr, false);
    if (!doc.is_object()) fail(host_ + " sent a tag list of " + repository + " that is not JSON");
    if (doc.contains("tags") && doc["tags"].is_array()) {
      for (const auto& t : doc["tags"]) {
        if (t.is_string()) tags.push_back(t.get<std::string>());
      }
    }
    path = next_page(r.link);
  }
  return tags;
}

bool RegistryClient::mount_blob(const std::string& repository, const Digest& digest,
                                const std::string& from) {
  Request request;
  request.method = "POST";
  request.target = "/v2/" + repository + "/blobs/uploads/?mount=" + digest.str() + "&from=" + from;
  request.body = std::string_view();
  return send(request, [](const char*, size_t) {}).status == 201;
}

RegistryClient::Upload::Upload(RegistryClient& client, std::string repository)
    : client_(client), repository_(std::move(repository)) {
  Request request;
  request.method = "POST";
  request.target = "/v2/" + repository_ + "/blobs/uploads/";
  request.body = std::string_view();
  location_ = client_.send(request, [](const char*, size_t) {}).location;
  if (location_.empty()) fail(client_.host_ + " started an upload without a Location");
}

void RegistryClient::Upload::append(std::string_view data) {
  if (data.empty()) return;
  Request request;
  request.method = "PATCH";
  request.target = client_.absolute(location_);
  request.content_type = "application/octet-stream";
  request.content_range = std::to_string(offset_) + "-" + std::to_string(offset_ + data.size() - 1);
  request.body = data;
  Reply r = client_.send(request, [](const char*, size_t) {});
  if (!r.location.empty()) location_ = r.location;
  offset_ += data.size();
}

void RegistryClient::Upload::finish(const Digest& digest) {
  Request request;
  request.method = "PUT";
  std::string url = client_.absolute(location_);
  request.target =
      url + (url.find('?') == std::string::npos ? "?" : "&") + "digest=" + digest.str();
  request.body = std::string_view();
  client_.send(request, [](const char*, size_t) {});
}

void RegistryClient::put_manifest(const std::string& repository, const std::string& reference,
                                  const std::string& media_type, std::string_view bytes) {
  Request request;
  request.method = "PUT";
  request.target = "/v2/" + repository + "/manifests/" + reference;
  request.content_type = media_type;
  request.body = bytes;
  send(request, [](const char*, size_t) {});
}

RegistryClient::Manifest RegistryClient::get_manifest(const std::string& repository,
                                                      const std::string& reference) {
  Manifest m;
  Reply r = get("/v2/" + repository + "/manifests/" + reference, kManifestAccept,
                [&](const char* d, size_t n) {
                  if (m.bytes.size() + n > (16 << 20))
                    fail("manifest " + reference + " is too large");
                  m.bytes.append(d, n);
                });
  m.media_type = r.content_type.substr(0, r.content_type.find(';'));
  return m;
}

std::string RegistryClient::get_small_blob(const std::string& repository, const Digest& digest,
                                           uint64_t max_bytes) {
  std::string out;
  get("/v2/" + repository + "/blobs/" + digest.str(), "", [&](const char* d, size_t n) {
    if (out.size() + n > max_bytes) fail("blob " + digest.str() + " is larger than expected");
    out.append(d, n);
  });
  return out;
}

void RegistryClient::get_blob(const std::string& repository, const Digest& digest,
                              const DataFn& on_data) {
  get("/v2/" + repository + "/blobs/" + digest.str(), "", on_data);
}

}  // namespace ferry::cli

namespace ferry::cli {

BlobDownload::BlobDownload(std::shared_ptr<RegistryClient> client, std::string repository,
                           Digest digest) {
  thread_ = std::thread([this, client = std::move(client), repository = std::move(repository),
                         digest = std::move(digest)] {
    std::string piece;
    auto hand_over = [&] {
      std::unique_lock lock(mu_);
      changed_.wait(lock, [&] { return stopping_ || buffered_ < kMaxBuffered; });
      if (stopping_) throw std::runtime_error("stopped");
      buffered_ += piece.size();
      chunks_.push_back(std::move(piece));
      piece.clear();
      changed_.notify_all();
    };
    try {
      client->get_blob(repository, digest, [&](const char* d, size_t n) {
        piece.append(d, n);
        if (piece.size() >= (256 << 10)) hand_over();
      });
      if (!piece.empty()) hand_over();
    } catch (...) {
      std::lock_guard lock(mu_);
      if (!stopping_) failure_ = std::current_exception();
    }
    std::lock_guard lock(mu_);
    done_ = true;
    changed_.notify_all();
  });
}

BlobDownload::~BlobDownload() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

size_t BlobDownload::read(char* buf, size_t max) {
  std::unique_lock lock(mu_);
  changed_.wait(lock, [&] { return !chunks_.empty() || done_; });
  if (chunks_.empty()) {
    if (failure_) std::rethrow_exception(failure_);
    return 0;
  }
  std::string& front = chunks_.front();
  size_t n = std::min(max, front.size() - offset_);
  std::memcpy(buf, front.data() + offset_, n);
  offset_ += n;
  if (offset_ == front.size()) {
    buffered_ -= front.size();
    chunks_.pop_front();
    offset_ = 0;
    changed_.notify_all();
  }
  return n;
}

}  // namespace ferry::cli

// A small client of the OCI Distribution API for pulling (libcurl): HTTPS,
// or plain HTTP for local registries; Basic auth and the bearer-token flow
// Docker Hub and most registries use; credentials from the files the
// containers tools and docker write (client/saved_logins.h). Bodies stream to a callback: a blob is
// never held in memory.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/digest.h"

namespace ferry::cli {

class RegistryClient {
 public:
  // host: the registry as references name it (docker.io for Docker Hub,
  // whose API is at registry-1.docker.io). ca_file: extra trusted CA
  // certificates (PEM) for a registry with a private CA; empty uses the system's.
  RegistryClient(std::string host, bool insecure, std::string ca_file = "");
  const std::string& host() const { return host_; }

  struct Manifest {
    std::string bytes;
    std::string media_type;
  };
  // GET /v2/REPO/manifests/REFERENCE, accepting every image and index type.
  Manifest get_manifest(const std::string& repository, const std::string& reference);
  // GET /v2/REPO/blobs/DIGEST into memory, refusing more than max_bytes.
  std::string get_small_blob(const std::string& repository, const Digest& digest,
                             uint64_t max_bytes);
  // GET /v2/REPO/blobs/DIGEST, streamed to `on_data`.
  using DataFn = std::function<void(const char* data, size_t size)>;
  void get_blob(const std::string& repository, const Digest& digest, const DataFn& on_data);

  // ---- referrers (pack carries them)
  // GET /v2/REPO/referrers/DIGEST: the OCI index of its referrers, or nullopt
  // when the registry has no referrers API (404, 405, or no index in reply).
  std::optional<std::string> get_referrers(const std::string& repository, const Digest& subject);
  // Every tag of the repository, following the Link header's pages; empty
  // when the repository has none (404) or the login may not list them (401,
  // 403: said once on stderr).
  std::vector<std::string> list_tags(const std::string& repository);

  // ---- pushing (ferry push)
  bool has_blob(const std::string& repository, const Digest& digest);
  // Cross-repository mount; false when the registry would rather have an upload.
  bool mount_blob(const std::string& repository, const Digest& digest, const std::string& from);
  // A chunked upload: start, append pieces (PATCH with Content-Range), finish.
  class Upload {
   public:
    Upload(RegistryClient& client, std::string repository);
    void append(std::string_view data);
    void finish(const Digest& digest);

   private:
    RegistryClient& client_;
    std::string repository_, location_;
    uint64_t offset_ = 0;
  };
  void put_manifest(const std::string& repository, const std::string& reference,
                    const std::string& media_type, std::string_view bytes);

 private:
  struct Request {
    std::string method = "GET";
    std::string target;  // a path under the registry, or a whole URL (upload locations)
    std::string accept;
    std::string content_type;
    std::string content_range;
    std::optional<std::string_view> body;
  };
  struct Reply {
    long status = 0;
    std::string content_type;
    std::string challenge;  // WWW-Authenticate
    std::string location;
    std::string link;  // the next page of a listing
    std::string error_body;
  };
  // One request, answering one 401 challenge (Basic, or Bearer with a token
  // from the realm) and retrying. Throws Error(BundleErrorKind::kSource) on a status
  // that is neither 2xx nor one of `tolerated`.
  Reply send(const Request& request, const DataFn& on_data,
             const std::vector<long>& tolerated = {});
  Reply get(const std::string& path, const std::string& accept, const DataFn& on_data);
  Reply attempt(const Request& request, const std::string& authorization, const DataFn& on_data);
  void answer_challenge(const std::string& challenge);
  std::string absolute(const std::string& location) const;

  std::string host_;
  std::string base_;  // https://API-HOST or http://API-HOST
  std::string ca_file_;
  std::mutex mu_;
  std::string authorization_;  // the Authorization header in use, if any
};

}  // namespace ferry::cli

namespace ferry::cli {

// Pulls one blob on a thread of its own and hands it out in order through
// read(), for consumers that pull (the bundle writer). At most 8 MiB waits
// in between, so memory stays bounded whatever the blob's size.
class BlobDownload {
 public:
  BlobDownload(std::shared_ptr<RegistryClient> client, std::string repository, Digest digest);
  ~BlobDownload();  // stops the transfer if it is still running
  BlobDownload(const BlobDownload&) = delete;
  BlobDownload& operator=(const BlobDownload&) = delete;
  // Up to max bytes; 0 at the end. Rethrows the transfer's failure.
  size_t read(char* buf, size_t max);

 private:
  static constexpr size_t kMaxBuffered = 8 << 20;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<std::string> chunks_;
  size_t buffered_ = 0, offset_ = 0;  // offset_ into chunks_.front()
  bool done_ = false, stopping_ = false;
  std::exception_ptr failure_;
  std::thread thread_;
};

}  // namespace ferry::cli

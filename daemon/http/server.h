// The HTTP server: libmicrohttpd with a pool of epoll threads. Owns the
// daemon handle, counts requests in flight so shutdown can drain them, and
// writes one access-log line per request.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/http/body_budget.h"
#include "daemon/http/connection_watch.h"
#include "daemon/http/exchange.h"
#include "daemon/http/forwarded.h"
#include "daemon/http/listen_socket.h"

struct MHD_Daemon;

namespace ferry::http {

class TlsCertificate;

// What the server tells its observer (metrics) about each finished request.
struct CompletedRequest {
  std::string_view method;
  std::string_view route;  // RouteInfo::label, as the router set it
  unsigned status = 0;     // 0: aborted before a response
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;
  std::chrono::microseconds duration{0};
};

// Each listening socket gets its own libmicrohttpd daemon, so `threads`,
// `connection_limit` and `per_address_limit` hold per socket.
struct ServerOptions {
  unsigned threads = 4;
  unsigned connection_limit = 512;
  unsigned idle_timeout_seconds = 60;
  // Connections one client address may hold at once; 0: no limit (behind a
  // reverse proxy every client has the proxy's address).
  unsigned per_address_limit = 32;
  // Deadlines and minimum rates for slow clients (ConnectionWatch).
  WatchLimits watch;
  // Bytes all request bodies held in memory together may take (BodyBudget).
  uint64_t body_memory = 32ULL << 20;
  // Per-connection buffer; also the largest body piece handed to on_body.
  size_t connection_buffer = 64 * 1024;
  bool access_log = true;
  // Trusted reverse proxies: the access log names the client they forwarded
  // for, as "client via proxy" (daemon/http/forwarded.h).
  AddressSet trusted_proxies;
  // Serve HTTPS with this certificate (it must outlive the server).
  const TlsCertificate* tls = nullptr;
  // Called on the request's own thread once it is done; must not block.
  std::function<void(const CompletedRequest&)> on_complete;
};

class Server {
 public:
  Server(ServerOptions options, Router router, ErrorRenderer render_error);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Serves every socket (at least one), owning them from here. Throws
  // std::runtime_error when libmicrohttpd cannot start on one; none is
  // served then.
  void start(std::vector<ListenSocket> sockets);
  // Stops accepting, waits up to `grace_seconds` for requests in flight to
  // finish, then closes every connection.
  void drain_and_stop(unsigned grace_seconds);
  uint64_t in_flight() const { return in_flight_.load(); }
  // Connections cut for being too slow (ConnectionWatch).
  uint64_t slow_connections_cut() const { return watch_.cuts(); }
  // Bytes of request bodies held in memory now, and the most they may be.
  uint64_t body_memory_used() const { return budget_.used(); }
  uint64_t body_memory_capacity() const { return budget_.capacity(); }

 private:
  struct Context;
  struct StopDaemon {
    void operator()(MHD_Daemon* d) const;
  };

  friend struct ServerCallbacks;
  // One libmicrohttpd daemon serving `socket`, which it owns from here.
  MHD_Daemon* start_daemon(ListenSocket& socket);  // the C entry points libmicrohttpd calls
  int handle(void* connection, const char* url, const char* method, const char* upload_data,
             size_t* upload_data_size, void** con_cls);
  // Sends the dispatch's response.
  int queue(void* connection, Context& ctx);
  void complete(void** con_cls, int toe);
  void log_request(const Context& ctx, int toe) const;
  // The request's client: its peer, or the address a trusted proxy
  // forwarded for (ServerOptions::trusted_proxies).
  std::string original_client(const Request& request) const;

  ServerOptions options_;
  Router router_;
  ErrorRenderer render_error_;
  BodyBudget budget_;
  ConnectionWatch watch_;
  // Last: stopped (and their callbacks done) before the members above go.
  std::vector<std::unique_ptr<MHD_Daemon, StopDaemon>> daemons_;
  std::atomic<uint64_t> in_flight_{0};
};

}  // namespace ferry::http

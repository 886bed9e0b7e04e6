#include "daemon/http/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <unistd.h>

#include <chrono>
#include <cstdarg>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "daemon/http/dispatch.h"
#include "daemon/http/forwarded.h"
#include "daemon/http/tls.h"
#include "runtime/log.h"

namespace ferry::http {

// Per-request state, owned by libmicrohttpd's con_cls slot between the first
// callback and the completion callback.
struct Server::Context {
  std::string url;  // as libmicrohttpd gave it, for the access log
  Request request;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::optional<Dispatch> dispatch;
  std::string_view route = "other";
  bool queued = false;
  unsigned status = 0;
  uint64_t bytes_out = 0;
  uint64_t bytes_in = 0;
};

namespace {

MHD_Result as_result(int r) {
  return r == MHD_YES ? MHD_YES : MHD_NO;
}

// Body for HEAD answers: libmicrohttpd needs a size for Content-Length but
// never reads a HEAD body, so this is never called.
ssize_t no_body(void*, uint64_t, char*, size_t) {
  return MHD_CONTENT_READER_END_WITH_ERROR;
}

struct DestroyResponse {
  void operator()(MHD_Response* r) const { MHD_destroy_response(r); }
};

std::string client_address(MHD_Connection* connection) {
  auto* info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (!info || !info->client_addr) return "-";
  char buf[INET6_ADDRSTRLEN] = "-";
  const sockaddr* sa = info->client_addr;
  if (sa->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, buf, sizeof buf);
  } else if (sa->sa_family == AF_INET6) {
    const in6_addr& a = reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr;
    // An IPv4 client of a dual-stack socket ([::]) arrives as ::ffff:a.b.c.d;
    // name it as an IPv4 client of 0.0.0.0 would be named (logs, limits).
    if (IN6_IS_ADDR_V4MAPPED(&a)) {
      inet_ntop(AF_INET, &a.s6_addr[12], buf, sizeof buf);
    } else {
      inet_ntop(AF_INET6, &a, buf, sizeof buf);
    }
  }
  return buf;
}

// Set (as a footer, which no client can send before the body) when the
// path or query held %00; see ServerCallbacks::on_unescape.
constexpr const char* kNulMarker = "ferry-nul-in-target";

// The request as the handlers see it, once libmicrohttpd has the headers.
Request request_of(MHD_Connection* connection, const char* method, const char* url) {
  Request request(method, url);
  MHD_get_connection_values(
      connection, static_cast<MHD_ValueKind>(MHD_HEADER_KIND | MHD_GET_ARGUMENT_KIND),
      [](void* cls, MHD_ValueKind kind, const char* key, const char* value) -> MHD_Result {
        auto* r = static_cast<Request*>(cls);
        if (!key) return MHD_YES;
        if (kind == MHD_HEADER_KIND) {
          if (value) r->add_header(key, value);
        } else {
          r->add_query(key, value ? std::optional<std::string>(value) : std::nullopt);
        }
        return MHD_YES;
      },
      &request);
  request.set_nul(MHD_lookup_connection_value(connection, MHD_FOOTER_KIND, kNulMarker) != nullptr);
  request.set_client_address(client_address(connection));
  return request;
}

std::unique_ptr<MHD_Response, DestroyResponse> to_mhd(Response& r) {
  MHD_Response* out = nullptr;
  switch (r.body) {
    case Response::Body::kEmpty:
      out = MHD_create_response_from_buffer(0, nullptr, MHD_RESPMEM_PERSISTENT);
      break;
    case Response::Body::kBytes:
      out = MHD_create_response_from_buffer(r.bytes.size(), r.bytes.data(), MHD_RESPMEM_MUST_COPY);
      break;
    case Response::Body::kFile: {
      // libmicrohttpd owns the descriptor from here and closes it.
      int fd = r.fd.release();
      out = MHD_create_response_from_fd_at_offset64(r.length, fd, r.offset);
      if (!out) ::close(fd);
      break;
    }
    case Response::Body::kLengthOnly:
      out = MHD_create_response_from_callback(r.length, 4096, no_body, nullptr, nullptr);
      break;
  }
  if (!out) throw std::runtime_error("libmicrohttpd could not create a response");
  for (const auto& [name, value] : r.headers) {
    MHD_add_response_header(out, name.c_str(), value.c_str());
  }
  return std::unique_ptr<MHD_Response, DestroyResponse>(out);
}

}  // namespace

struct ServerCallbacks {
  // libmicrohttpd's own messages, e.g. a TLS handshake arriving on a plain
  // HTTP port (Go clients with --tls-verify=false try https first).
  static void on_mhd_log(void*, const char* format, va_list args) {
    char message[512];
    vsnprintf(message, sizeof message, format, args);
    std::string_view text(message);
    while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
    log::debug(std::string("libmicrohttpd: ") + std::string(text));
  }

  static MHD_Result on_request(void* cls, MHD_Connection* connection, const char* url,
                               const char* method, const char*, const char* upload_data,
                               size_t* upload_data_size, void** con_cls) {
    return as_result(static_cast<Server*>(cls)->handle(connection, url, method, upload_data,
                                                       upload_data_size, con_cls));
  }
  // libmicrohttpd's own decoding, but a %00 is marked on the connection:
  // the path reaches the router as a C string, cut at the NUL, so
  // "v1%00" would otherwise pass as "v1" (Request::has_nul()).
  static size_t on_unescape(void*, MHD_Connection* connection, char* s) {
    size_t length = MHD_http_unescape(s);
    if (std::strlen(s) != length) {
      MHD_set_connection_value(connection, MHD_FOOTER_KIND, kNulMarker, "1");
    }
    return length;
  }
  static void on_completed(void* cls, MHD_Connection* connection, void** con_cls,
                           MHD_RequestTerminationCode toe) {
    auto* server = static_cast<Server*>(cls);
    server->watch_.request_done(connection);
    server->complete(con_cls, toe);
  }
  // libmicrohttpd calls CLOSED before it closes the descriptor, so the
  // watch never acts on a descriptor number already reused.
  static void on_connection(void* cls, MHD_Connection* connection, void**,
                            MHD_ConnectionNotificationCode code) {
    auto* server = static_cast<Server*>(cls);
    if (code != MHD_CONNECTION_NOTIFY_STARTED) {
      server->watch_.closed(connection);
      return;
    }
    auto* info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (info) server->watch_.opened(connection, info->connect_fd, client_address(connection));
  }
};

void Server::StopDaemon::operator()(MHD_Daemon* d) const {
  MHD_stop_daemon(d);
}

Server::Server(ServerOptions options, Router router, ErrorRenderer render_error)
    : options_(std::move(options)),
      router_(std::move(router)),
      render_error_(std::move(render_error)),
      budget_(options_.body_memory),
      watch_(options_.watch) {}

Server::~Server() = default;

void Server::start(std::vector<ListenSocket> sockets) {
  if (sockets.empty()) throw std::runtime_error("no socket to listen on");
  for (auto& socket : sockets) {
    MHD_Daemon* d = start_daemon(socket);
    if (!d) {
      std::string why = errno ? std::strerror(errno) : "see the log above";
      daemons_.clear();
      throw std::runtime_error("cannot serve " + socket.name + ": " + why);
    }
    daemons_.emplace_back(d);
    socket.fd.release();  // libmicrohttpd closes it when the daemon stops
  }
  watch_.start();
}

MHD_Daemon* Server::start_daemon(ListenSocket& socket) {
  // A pool of epoll threads. Measured against thread-per-connection (which
  // sendfile()s in 2 MiB rather than 128 KiB steps): the same blob and
  // manifest throughput within noise, and 7 MiB more peak RSS at 64 clients.
  unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
  std::vector<MHD_OptionItem> opts = {
      // The logger first: libmicrohttpd reports problems with later options through it.
      {MHD_OPTION_EXTERNAL_LOGGER, reinterpret_cast<intptr_t>(&ServerCallbacks::on_mhd_log),
       nullptr},
      {MHD_OPTION_LISTEN_SOCKET, socket.fd.get(), nullptr},
      {MHD_OPTION_CONNECTION_LIMIT, static_cast<intptr_t>(options_.connection_limit), nullptr},
      {MHD_OPTION_CONNECTION_TIMEOUT, static_cast<intptr_t>(options_.idle_timeout_seconds),
       nullptr},
      {MHD_OPTION_CONNECTION_MEMORY_LIMIT, static_cast<intptr_t>(options_.connection_buffer),
       nullptr},
      {MHD_OPTION_NOTIFY_COMPLETED, reinterpret_cast<intptr_t>(&ServerCallbacks::on_completed),
       this},
      {MHD_OPTION_THREAD_POOL_SIZE, static_cast<intptr_t>(options_.threads), nullptr},
      {MHD_OPTION_UNESCAPE_CALLBACK, reinterpret_cast<intptr_t>(&ServerCallbacks::on_unescape),
       nullptr},
      {MHD_OPTION_NOTIFY_CONNECTION, reinterpret_cast<intptr_t>(&ServerCallbacks::on_connection),
       this},
      {MHD_OPTION_END, 0, nullptr},
  };
  if (options_.per_address_limit > 0) {
    opts.insert(opts.end() - 1, {MHD_OPTION_PER_IP_CONNECTION_LIMIT,
                                 static_cast<intptr_t>(options_.per_address_limit), nullptr});
  }
  if (options_.tls) {
    // The certificate is fetched per handshake, so a reload needs no restart.
    flags |= MHD_USE_TLS;
    opts.insert(opts.end() - 1,
                {MHD_OPTION_HTTPS_CERT_CALLBACK, 0, TlsCertificate::retrieve_function()});
  }
  errno = 0;
  return MHD_start_daemon(flags, 0, nullptr, nullptr, &ServerCallbacks::on_request, this,
                          MHD_OPTION_ARRAY, opts.data(), MHD_OPTION_END);
}

void Server::drain_and_stop(unsigned grace_seconds) {
  if (daemons_.empty()) return;
  for (auto& daemon : daemons_) {
    int listen_fd = MHD_quiesce_daemon(daemon.get());
    if (listen_fd >= 0) ::close(listen_fd);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(grace_seconds);
  while (in_flight_.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (in_flight_.load() > 0) {
    log::warn("shutdown: " + std::to_string(in_flight_.load()) +
              " request(s) still running after the grace period; closing them");
  }
  daemons_.clear();
}

int Server::handle(void* connection, const char* url, const char* method, const char* upload_data,
                   size_t* upload_data_size, void** con_cls) {
  auto* mhd = static_cast<MHD_Connection*>(connection);
  if (*con_cls == nullptr) {
    // First call: headers are in, no body yet.
    watch_.headers_done(mhd);
    auto ctx = std::make_unique<Context>();
    ctx->url = url;
    ctx->request = request_of(mhd, method, url);
    in_flight_.fetch_add(1);
    Context& ref = *ctx;
    *con_cls = ctx.release();  // reclaimed in complete()
    ref.dispatch.emplace(router_, render_error_, ref.request, &budget_,
                         original_client(ref.request));
    ref.route = ref.dispatch->route().label;
    if (ref.dispatch->answer_now()) return queue(connection, ref);
    return MHD_YES;  // libmicrohttpd sends "100 Continue" if asked
  }
  Context& ctx = *static_cast<Context*>(*con_cls);
  if (*upload_data_size > 0) {
    size_t size = *upload_data_size;
    *upload_data_size = 0;
    ctx.bytes_in += size;
    return ctx.dispatch->on_body(upload_data, size) ? MHD_YES : MHD_NO;
  }
  if (ctx.queued) return MHD_YES;
  return queue(connection, ctx);
}

int Server::queue(void* connection, Context& ctx) {
  watch_.answering(connection);
  Response response = ctx.dispatch->finish();
  ctx.queued = true;
  ctx.status = response.status;
  ctx.bytes_out = response.body_size();
  try {
    auto mhd_response = to_mhd(response);
    return MHD_queue_response(static_cast<MHD_Connection*>(connection), response.status,
                              mhd_response.get());
  } catch (const std::exception& e) {
    log::error(std::string("cannot send response: ") + e.what());
    return MHD_NO;  // closes the connection
  }
}

void Server::complete(void** con_cls, int toe) {
  std::unique_ptr<Context> ctx(static_cast<Context*>(*con_cls));
  *con_cls = nullptr;
  if (!ctx) return;
  ctx->dispatch.reset();  // aborted requests never reached queue()
  if (options_.access_log) log_request(*ctx, toe);
  if (options_.on_complete) {
    options_.on_complete(CompletedRequest{ctx->request.method(), ctx->route, ctx->status,
                                          ctx->bytes_in, ctx->bytes_out,
                                          std::chrono::duration_cast<std::chrono::microseconds>(
                                              std::chrono::steady_clock::now() - ctx->started)});
  }
  in_flight_.fetch_sub(1);
}

std::string Server::original_client(const Request& request) const {
  if (!options_.trusted_proxies.contains(request.client_address())) {
    return request.client_address();
  }
  return external_view(request, {"", options_.trusted_proxies, false}).client_address.substr(0, 64);
}

void Server::log_request(const Context& ctx, int toe) const {
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - ctx.started)
                    .count();
  char line[1024];
  const char* outcome = toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted";
  std::string client = ctx.request.client_address();
  if (std::string original = original_client(ctx.request); original != client) {
    client = original + " via " + client;
  }
  snprintf(line, sizeof line, "%s %s %s %u in=%llu out=%llu %.1fms%s", client.c_str(),
           std::string(ctx.request.method()).c_str(), ctx.url.substr(0, 512).c_str(), ctx.status,
           static_cast<unsigned long long>(ctx.bytes_in),
           static_cast<unsigned long long>(ctx.bytes_out), static_cast<double>(micros) / 1000.0,
           outcome);
  log::info(line);
}

}  // namespace ferry::http

// ferryd serve: the registry, its housekeeping and the import inbox.
#include "daemon/serve.h"

#include <malloc.h>
#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "access/accounts.h"
#include "base/error.h"
#include "core/store.h"
#include "daemon/api/api.h"
#include "daemon/api/errors.h"
#include "daemon/housekeeping.h"
#include "daemon/http/forwarded.h"
#include "daemon/http/listen_socket.h"
#include "daemon/http/server.h"
#include "daemon/http/tls.h"
#include "daemon/import/inbox.h"
#include "daemon/metrics.h"
#include "daemon/systemd/notify.h"
#include "daemon/systemd/watchdog.h"
#include "runtime/data_dir.h"
#include "runtime/exit_codes.h"
#include "runtime/fail.h"
#include "runtime/listen.h"
#include "runtime/log.h"
#include "signing/trusted_keys.h"

namespace ferry {
namespace {

constexpr unsigned kDrainSeconds = 30;

// SIGHUP: a renewed certificate is served from the next handshake on; a bad
// one is refused and the current one stays.
void reload_tls(http::TlsCertificate* tls) {
  if (!tls) {
    log::info("SIGHUP: TLS is off, nothing to reload");
    return;
  }
  try {
    tls->reload();
    log::info("SIGHUP: TLS certificate reloaded: " + tls->describe());
  } catch (const std::exception& e) {
    log::error(std::string("SIGHUP: kept the current TLS certificate: ") + e.what());
  }
}

// The server's settings from the configuration; the certificate, when TLS
// is on, into `tls`. Returns kOk, or the exit code after saying why.
int server_options(const DaemonConfig& config, http::ServerOptions& options,
                   std::optional<http::TlsCertificate>& tls) {
  options.threads = config.threads;
  options.connection_limit = config.connection_limit;
  options.idle_timeout_seconds = static_cast<unsigned>(config.idle_timeout.count());
  options.connection_buffer = config.connection_buffer;
  options.per_address_limit = config.per_address_limit;
  options.watch.header_timeout = config.header_timeout;
  options.watch.min_rate = config.min_rate;
  options.watch.rate_window = config.rate_window;
  options.body_memory = config.body_memory;
  options.access_log = config.access_log;
  if (config.tls_cert.empty() && config.tls_key.empty()) return kOk;
  try {
    tls.emplace(http::TlsFiles{config.tls_cert, config.tls_key});
  } catch (const std::exception& e) {
    return fail(kUsage, e.what());
  }
  options.tls = &*tls;
  log::info("TLS certificate " + tls->describe());
  return kOk;
}

// The sockets to serve: systemd's when it passed some (socket activation,
// one per ListenStream= line; --listen is ignored then), else one per
// address of each --listen value. Returns kOk, or the exit code after
// saying why.
int listen_sockets(const DaemonConfig& config, std::vector<http::ListenSocket>& out,
                   bool* from_systemd) {
  auto fds = systemd::take_listen_fds();
  *from_systemd = !fds.empty();
  if (*from_systemd) {
    for (int fd : fds) out.push_back(http::adopt_listen_socket(fd));
    return kOk;
  }
  std::vector<ListenSocketAddress> addresses;
  try {
    addresses = resolve_listens(parse_listens(config.listen));
  } catch (const std::invalid_argument& e) {
    return fail(kUsage, e.what());
  } catch (const std::runtime_error& e) {
    return fail(kListen, e.what());
  }
  try {
    for (const auto& a : addresses) out.push_back(http::open_listen_socket(a));
  } catch (const std::exception& e) {
    return fail(kListen, e.what());
  }
  return kOk;
}

// "127.0.0.1:5000, [::1]:5000 (from systemd) (HTTPS)", and whether every
// socket is loopback.
std::string describe(const std::vector<http::ListenSocket>& sockets, bool from_systemd, bool tls,
                     bool* all_loopback) {
  std::string text;
  *all_loopback = true;
  for (const auto& s : sockets) {
    text += (text.empty() ? "" : ", ") + s.name;
    *all_loopback = *all_loopback && s.loopback;
  }
  return text + (from_systemd ? " (from systemd)" : "") + (tls ? " (HTTPS)" : "");
}

// Signals are taken synchronously by the main thread; block them before any
// other thread starts so none of those receives them.
api::UploadLimits upload_limits(const DaemonConfig& config) {
  return {config.upload_sessions_per_user, config.upload_sessions_per_namespace,
          config.upload_bytes_per_user, config.upload_bytes_per_namespace, config.upload_expiry};
}

sigset_t block_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return signals;
}

void start_inbox(const DaemonConfig& config, Store& store, access::Rules& rules, bool loopback,
                 std::optional<import::Inbox>& inbox) {
  if (!config.inbox_enabled) return;
  if (signing::load_trusted_keys(config.trust_dir).keys.empty()) {
    log::warn("import inbox " + config.inbox_path() + ": no trusted keys in " + config.trust_dir +
              " (put the signers' .pub files there, or --trust-dir); bundles are refused until "
              "then, and tried again when a key arrives");
  }
  try {
    inbox.emplace(store,
                  import::InboxOptions{config.inbox_path(), config.trust_dir, config.box_key_path(),
                                       config.inbox_settle, config.inbox_incomplete_wait,
                                       config.inbox_keep_imported,
                                       import::ImportAccess{config.auth_open, loopback, &rules}});
  } catch (const std::exception& e) {
    log::warn(std::string("the import inbox is off: ") + e.what());
  }
}

// Serves until SIGTERM or SIGINT (SIGHUP reloads the certificate), then
// drains requests in flight.
int run_until_stopped(const sigset_t& signals, http::Server& server,
                      std::optional<http::TlsCertificate>& tls,
                      std::optional<import::Inbox>& inbox) {
  while (true) {
    int sig = 0;
    sigwait(&signals, &sig);
    if (sig == SIGHUP) {
      reload_tls(tls ? &*tls : nullptr);
      continue;
    }
    systemd::notify("STOPPING=1\nSTATUS=draining requests in flight");
    log::info(std::string("shutting down on ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") +
              ", draining requests in flight");
    if (inbox) inbox->stop();  // an import in progress stops; it changed nothing visible
    server.drain_and_stop(kDrainSeconds);
    inbox.reset();
    log::info("stopped");
    return kOk;
  }
}

// [http] public_url and trusted_proxies, checked. Returns kOk, or the exit
// code after saying why.
int forwarding_options(const DaemonConfig& config, bool tls, http::Forwarding& out) {
  out.tls = tls;
  try {
    if (!config.public_url.empty()) out.public_url = http::normalize_public_url(config.public_url);
  } catch (const std::invalid_argument& e) {
    return fail(kUsage, "http.public_url '" + config.public_url + "': " + e.what());
  }
  try {
    out.trusted_proxies = http::AddressSet::parse(config.trusted_proxies);
  } catch (const std::invalid_argument& e) {
    return fail(kUsage, std::string("http.trusted_proxies: ") + e.what());
  }
  return kOk;
}

}  // namespace

int serve(const DaemonConfig& config) {
  log::Level level;
  if (!log::parse_level(config.log_level, &level)) {
    return fail(kUsage, "log level '" + config.log_level + "' is not debug, info, warn or error");
  }
  log::set_level(level);
  log::never_block();
  // Request bodies held in memory (up to http.body_memory together) are
  // large and short-lived: with a fixed threshold glibc maps each one on
  // its own and unmaps it when freed, so the memory goes back to the system
  // after a burst instead of staying in malloc's arenas (by default the
  // threshold rises to the largest block ever freed).
  mallopt(M_MMAP_THRESHOLD, 1 << 20);

  http::ServerOptions options;
  std::optional<http::TlsCertificate> tls;
  if (int rc = server_options(config, options, tls); rc != kOk) return rc;
  http::Forwarding forwarding;
  if (int rc = forwarding_options(config, tls.has_value(), forwarding); rc != kOk) return rc;
  options.trusted_proxies = forwarding.trusted_proxies;
  Metrics metrics;
  options.on_complete = [&metrics](const http::CompletedRequest& r) {
    metrics.request(r.method, r.route, r.status, r.bytes_in, r.bytes_out, r.duration);
  };
  sigset_t signals = block_signals();

  std::vector<http::ListenSocket> sockets;
  bool from_systemd = false;
  if (int rc = listen_sockets(config, sockets, &from_systemd); rc != kOk) return rc;
  bool all_loopback = false;
  std::string where = describe(sockets, from_systemd, tls.has_value(), &all_loopback);
  std::string error;
  std::optional<Store> store = open_store(config, /*clear_staging=*/true, &error);
  if (!store) return fail(kStorage, error);

  // Loopback only when every socket is bound to a loopback address (ours
  // and systemd's alike: decided per address, runtime/listen.h). A reverse
  // proxy in front (public_url or trusted_proxies set) serves the box
  // beyond loopback even when ferryd listens on 127.0.0.1.
  bool loopback = all_loopback && config.public_url.empty() && config.trusted_proxies.empty();
  std::optional<api::Gate> gate;
  try {
    access::Accounts(store->database()).set_served_beyond_loopback(!loopback);
    gate.emplace(
        *store, api::GateOptions{config.auth_open, loopback,
                                 store->options().data_dir + "/token.key", config.token_ttl,
                                 std::move(forwarding), upload_limits(config), config.session_ttl});
  } catch (const std::exception& e) {
    return fail(kStorage, std::string("cannot set up access control: ") + e.what());
  }
  // GC and scrub, scheduled or started through the API, one of each at a time.
  Jobs jobs(*store, &metrics, gc_options(config, gate->rules()), ScrubOptions{config.scrub_rate});
  http::Server server(options, api::make_router(*store, &metrics, &*gate, &jobs),
                      api::render_error);
  metrics.watch_server([&server] {
    return Metrics::ServerGauges{server.slow_connections_cut(), server.body_memory_used(),
                                 server.body_memory_capacity()};
  });
  try {
    server.start(std::move(sockets));
  } catch (const std::exception& e) {
    return fail(kListen, e.what());
  }
  Housekeeping housekeeping(*store, config, jobs);
  std::optional<import::Inbox> inbox;
  start_inbox(config, *store, gate->rules(), loopback, inbox);
  log::info("ferryd " FERRY_VERSION " serving " + store->options().data_dir + " on " + where);
  std::optional<systemd::Watchdog> watchdog;
  if (auto interval = systemd::watchdog_interval()) {
    watchdog.emplace(*interval, [&store] {
      try {
        return store->responsive();
      } catch (const std::exception&) {
        return false;
      }
    });
  }
  systemd::notify("READY=1\nSTATUS=serving " + store->options().data_dir + " on " + where);
  return run_until_stopped(signals, server, tls, inbox);
}

}  // namespace ferry

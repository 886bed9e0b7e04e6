// ferryd serve: the registry, its housekeeping and the import inbox.
#include "daemon/serve.h"

#include <signal.h>

#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>

#include "core/error.h"
#include "core/store.h"
#include "daemon/api/api.h"
#include "daemon/api/errors.h"
#include "daemon/exit_codes.h"
#include "daemon/http/server.h"
#include "daemon/import/inbox.h"
#include "daemon/log.h"
#include "daemon/systemd/notify.h"
#include "daemon/systemd/watchdog.h"

namespace ferry {
namespace {

constexpr unsigned kDrainSeconds = 30;
constexpr auto kMaintenanceInterval = std::chrono::minutes(10);

// Periodic housekeeping on its own thread, stopped promptly at shutdown:
// abandoned uploads, and garbage collection on its schedule.
class Maintenance {
 public:
  Maintenance(Store& store, const DaemonConfig& config)
      : store_(store),
        upload_expiry_(config.upload_expiry),
        gc_interval_(config.gc_interval),
        gc_options_{config.gc_grace, config.retention, false},
        thread_([this](std::stop_token st) { run(st); }) {}

 private:
  void run(std::stop_token stop) {
    std::mutex mu;
    std::condition_variable_any cv;
    std::chrono::seconds tick = kMaintenanceInterval;
    if (gc_interval_.count() > 0) tick = std::min<std::chrono::seconds>(tick, gc_interval_);
    auto next_gc = std::chrono::steady_clock::now() + gc_interval_;
    while (!stop.stop_requested()) {
      try {
        if (size_t n = store_.expire_uploads(upload_expiry_)) {
          log::info("removed " + std::to_string(n) + " abandoned upload(s)");
        }
      } catch (const std::exception& e) {
        log::warn(std::string("upload expiry failed: ") + e.what());
      }
      if (gc_interval_.count() > 0 && std::chrono::steady_clock::now() >= next_gc) {
        if (collect_garbage()) next_gc = std::chrono::steady_clock::now() + gc_interval_;
      }
      std::unique_lock lock(mu);
      cv.wait_for(lock, stop, tick, [] { return false; });
    }
  }

  // False when an import held the store; GC then runs at the next tick.
  bool collect_garbage() {
    try {
      auto report = store_.collect_garbage(gc_options_, std::chrono::seconds(1));
      if (!report) {
        log::info("gc postponed: an import is running");
        return false;
      }
      for (const auto& t : report->tags) {
        log::info("gc: retention removed tag " + t.repository + ":" + t.name);
      }
      log::info("gc: " + summarize(*report));
    } catch (const std::exception& e) {
      log::warn(std::string("gc failed, nothing was removed past the failure: ") + e.what());
    }
    return true;
  }

  Store& store_;
  std::chrono::seconds upload_expiry_;
  std::chrono::seconds gc_interval_;
  GcOptions gc_options_;
  std::jthread thread_;
};

}  // namespace

int fail(int code, const std::string& message) {
  std::fprintf(stderr, "%s: %s\n", program_invocation_short_name, message.c_str());
  return code;
}

int serve(const DaemonConfig& config) {
  log::Level level;
  if (!log::parse_level(config.log_level, &level)) {
    return fail(kUsage, "log level '" + config.log_level + "' is not debug, info, warn or error");
  }
  log::set_level(level);

  http::ServerOptions options;
  if (!split_listen(config.listen, &options.address, &options.port)) {
    return fail(kUsage, "--listen '" + config.listen + "' is not ADDR:PORT, e.g. 127.0.0.1:5000");
  }
  options.threads = config.threads;
  options.connection_limit = config.connection_limit;
  options.idle_timeout_seconds = static_cast<unsigned>(config.idle_timeout.count());
  options.connection_buffer = config.connection_buffer;
  options.access_log = config.access_log;
  options.listen_fd = systemd::take_listen_fd();  // socket activation (ferryd.socket)

  // Signals are taken synchronously by this thread; block them before any
  // other thread starts so none of those receives them.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::optional<Store> store;
  try {
    std::filesystem::create_directories(config.data_dir);
    store.emplace(StoreOptions{std::filesystem::absolute(config.data_dir).lexically_normal(),
                               config.max_manifest_bytes});
  } catch (const std::exception& e) {
    return fail(kStorage, std::string("cannot open data directory: ") + e.what());
  }

  http::Server server(options, api::make_router(*store), api::render_error);
  try {
    server.start();
  } catch (const std::exception& e) {
    return fail(kListen, e.what());
  }
  Maintenance maintenance(*store, config);
  std::optional<import::Inbox> inbox;
  if (config.inbox_enabled) {
    try {
      inbox.emplace(
          *store, import::InboxOptions{config.inbox_path(), config.trust_dir, config.box_key_path(),
                                       config.inbox_settle, config.inbox_incomplete_wait,
                                       config.inbox_keep_imported});
    } catch (const std::exception& e) {
      log::warn(std::string("the import inbox is off: ") + e.what());
    }
  }
  std::string where = options.listen_fd >= 0
                          ? "a socket from systemd"
                          : options.address + ":" + std::to_string(server.port());
  log::info("ferryd " FERRY_VERSION " serving " + store->options().data_dir + " on " + where);
  std::optional<systemd::Watchdog> watchdog;
  if (auto interval = systemd::watchdog_interval()) {
    watchdog.emplace(*interval, [&store] {
      try {
        return store->with_database([](sql::Database& db) {
          return db.prepare("SELECT count(*) FROM repositories").one_int().has_value();
        });
      } catch (const std::exception&) {
        return false;
      }
    });
  }
  systemd::notify("READY=1\nSTATUS=serving " + store->options().data_dir + " on " + where);

  while (true) {
    int sig = 0;
    sigwait(&signals, &sig);
    if (sig == SIGHUP) {
      log::info("SIGHUP: nothing to reload yet");
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

}  // namespace ferry

// ferryd: the edge registry daemon.
//
// Exit codes (stable; scripts and systemd rely on them):
//   0 clean shutdown   2 bad usage or configuration   3 cannot listen
//   4 cannot open the data directory or its database   1 anything else
#include <signal.h>

#include <CLI/CLI.hpp>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <thread>

#include "core/error.h"
#include "core/store.h"
#include "daemon/api/api.h"
#include "daemon/api/errors.h"
#include "daemon/config.h"
#include "daemon/http/server.h"
#include "daemon/log.h"

namespace ferry {
namespace {

enum Exit { kOk = 0, kFailure = 1, kUsage = 2, kListen = 3, kStorage = 4 };

constexpr unsigned kDrainSeconds = 30;
constexpr auto kMaintenanceInterval = std::chrono::minutes(10);

int fail(int code, const std::string& message) {
  std::fprintf(stderr, "ferryd: %s\n", message.c_str());
  return code;
}

// Periodic housekeeping on its own thread, stopped promptly at shutdown.
class Maintenance {
 public:
  Maintenance(Store& store, std::chrono::seconds upload_expiry)
      : store_(store), expiry_(upload_expiry), thread_([this](std::stop_token st) { run(st); }) {}

 private:
  void run(std::stop_token stop) {
    std::mutex mu;
    std::condition_variable_any cv;
    while (!stop.stop_requested()) {
      try {
        if (size_t n = store_.expire_uploads(expiry_)) {
          log::info("removed " + std::to_string(n) + " abandoned upload(s)");
        }
      } catch (const std::exception& e) {
        log::warn(std::string("upload expiry failed: ") + e.what());
      }
      std::unique_lock lock(mu);
      cv.wait_for(lock, stop, kMaintenanceInterval, [] { return false; });
    }
  }

  Store& store_;
  std::chrono::seconds expiry_;
  std::jthread thread_;
};

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
  Maintenance maintenance(*store, config.upload_expiry);
  log::info("ferryd " FERRY_VERSION " serving " + store->options().data_dir + " on " +
            options.address + ":" + std::to_string(server.port()));

  while (true) {
    int sig = 0;
    sigwait(&signals, &sig);
    if (sig == SIGHUP) {
      log::info("SIGHUP: nothing to reload yet");
      continue;
    }
    log::info(std::string("shutting down on ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") +
              ", draining requests in flight");
    server.drain_and_stop(kDrainSeconds);
    log::info("stopped");
    return kOk;
  }
}

}  // namespace
}  // namespace ferry

int main(int argc, char** argv) {
  using ferry::DaemonConfig;
  CLI::App app{"ferryd: an OCI registry for edge and offline hosts"};
  app.require_subcommand(1);
  app.set_version_flag("--version", FERRY_VERSION);

  DaemonConfig config;
  std::string config_file, listen, data_dir;
  auto* serve = app.add_subcommand("serve", "Serve the OCI Distribution API from a data directory");
  serve->add_option("--listen", listen, "ADDR:PORT to listen on (default 127.0.0.1:5000)");
  serve->add_option("--data-dir", data_dir, "Where blobs and the database live (default ./data)");
  serve->add_option("--config", config_file, "TOML configuration file")->check(CLI::ExistingFile);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : ferry::kUsage;
  }
  if (*serve) {
    try {
      if (!config_file.empty()) ferry::load_config_file(config_file, config);
    } catch (const std::exception& e) {
      return ferry::fail(ferry::kUsage, e.what());
    }
    if (!listen.empty()) config.listen = listen;
    if (!data_dir.empty()) config.data_dir = data_dir;
    try {
      return ferry::serve(config);
    } catch (const std::exception& e) {
      return ferry::fail(ferry::kFailure, e.what());
    }
  }
  return ferry::kUsage;
}

#include "daemon/systemd/watchdog.h"

#include <condition_variable>
#include <mutex>

#include "daemon/systemd/notify.h"
#include "runtime/log.h"

namespace ferry::systemd {

Watchdog::Watchdog(std::chrono::microseconds interval, std::function<bool()> healthy)
    : interval_(interval),
      healthy_(std::move(healthy)),
      thread_([this](std::stop_token st) { run(st); }) {}

void Watchdog::run(std::stop_token stop) {
  std::mutex mu;
  std::condition_variable_any cv;
  bool warned = false;
  while (!stop.stop_requested()) {
    if (healthy_()) {
      notify("WATCHDOG=1");
      warned = false;
    } else if (!warned) {
      log::error("health check failed: not feeding the systemd watchdog");
      warned = true;
    }
    std::unique_lock lock(mu);
    cv.wait_for(lock, stop, interval_ / 2, [] { return false; });
  }
}

}  // namespace ferry::systemd

// Keeps systemd's watchdog fed (WatchdogSec=) while ferryd is healthy. A
// ping is sent every half interval only after `healthy` says so, so a wedged
// database or a hung disk gets the service restarted rather than left dead.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace ferry::systemd {

class Watchdog {
 public:
  Watchdog(std::chrono::microseconds interval, std::function<bool()> healthy);

 private:
  void run(std::stop_token stop);

  std::chrono::microseconds interval_;
  std::function<bool()> healthy_;
  std::jthread thread_;
};

}  // namespace ferry::systemd

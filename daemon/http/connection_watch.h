// Keeps slow and stuck clients from holding connection slots: a thread that
// looks at every open connection a few times a second and cuts
// (shutdown(2)) one that
//  - has not completed its request line and headers within the header
//    timeout (counted from the connection, or from the first byte of the
//    next request on a kept-alive one), however it trickles them;
//  - sends its body, or reads its response, slower than the minimum rate
//    averaged over the rate window.
// A connection whose data waits on the server (unread bytes in the socket's
// receive queue, or no unsent bytes in its send queue) is never cut: then
// the server is the slow party. libmicrohttpd's own idle timeout still
// closes a connection on which nothing moves.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

namespace ferry::http {

struct WatchLimits {
  std::chrono::milliseconds header_timeout{10'000};
  uint64_t min_rate = 1024;  // bytes per second; 0: no minimum
  std::chrono::milliseconds rate_window{30'000};
  std::chrono::milliseconds tick{250};  // how often connections are looked at
};

class ConnectionWatch {
 public:
  explicit ConnectionWatch(WatchLimits limits);
  ~ConnectionWatch();  // stops the thread
  ConnectionWatch(const ConnectionWatch&) = delete;
  ConnectionWatch& operator=(const ConnectionWatch&) = delete;

  // Starts the watching thread.
  void start();
  // From the server's threads, keyed by libmicrohttpd's connection handle.
  // `fd` must stay open until closed() returns.
  void opened(const void* connection, int fd, std::string address);
  void closed(const void* connection);
  void headers_done(const void* connection);  // the body (if any) comes next
  void answering(const void* connection);     // the response is queued
  void request_done(const void* connection);  // kept alive for the next request
  // Connections cut so far.
  uint64_t cuts() const;

 private:
  enum class Phase { kHeaders, kBody, kAnswering, kIdle };
  struct Entry {
    int fd = -1;
    std::string address;
    Phase phase = Phase::kHeaders;
    std::chrono::steady_clock::time_point since;  // phase start, or rate mark
    uint64_t mark = 0;                            // bytes received (or acked) at `since`
    bool cut = false;
  };
  using Clock = std::chrono::steady_clock;

  void run();
  void enter(const void* connection, Phase phase);
  // Why `e` should be cut now, or empty. Updates its marks.
  std::string verdict(Entry& e, Clock::time_point now) const;
  std::string rate_verdict(Entry& e, Clock::time_point now, const char* what) const;

  const WatchLimits limits_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  uint64_t cuts_ = 0;
  std::unordered_map<const void*, Entry> entries_;
  std::thread thread_;
};

}  // namespace ferry::http

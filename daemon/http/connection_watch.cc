#include "daemon/http/connection_watch.h"

#include <linux/sockios.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstddef>
#include <cstdio>

#include "runtime/log.h"

namespace ferry::http {
namespace {

struct Counters {
  uint64_t received = 0;  // bytes the peer sent us
  uint64_t acked = 0;     // bytes of ours the peer acknowledged
};

bool tcp_counters(int fd, Counters& out) {
  tcp_info info{};
  socklen_t length = sizeof info;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) != 0) return false;
  // A shorter answer has no byte counters: Linux before 4.2, and qemu-user,
  // which copies every TCP option as an int. Zeros there would read as a
  // client sending nothing and cut every upload; no counters, no verdict.
  constexpr socklen_t kNeeded =
      std::max(offsetof(tcp_info, tcpi_bytes_received) + sizeof info.tcpi_bytes_received,
               offsetof(tcp_info, tcpi_bytes_acked) + sizeof info.tcpi_bytes_acked);
  if (length < kNeeded) return false;
  out.received = info.tcpi_bytes_received;
  out.acked = info.tcpi_bytes_acked;
  return true;
}

// Bytes in the socket's receive (SIOCINQ) or unsent in its send (SIOCOUTQ)
// queue.
int queued(int fd, unsigned long request) {
  int n = 0;
  if (ioctl(fd, request, &n) != 0) return 0;
  return n;
}

std::string seconds_text(std::chrono::milliseconds d) {
  char text[32];
  snprintf(text, sizeof text, "%g s", static_cast<double>(d.count()) / 1000.0);
  return text;
}

}  // namespace

ConnectionWatch::ConnectionWatch(WatchLimits limits) : limits_(limits) {}

ConnectionWatch::~ConnectionWatch() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ConnectionWatch::start() {
  thread_ = std::thread([this] { run(); });
}

void ConnectionWatch::opened(const void* connection, int fd, std::string address) {
  std::lock_guard lock(mu_);
  Entry& e = entries_[connection];
  e = Entry{};
  e.fd = fd;
  e.address = std::move(address);
  e.since = Clock::now();
}

void ConnectionWatch::closed(const void* connection) {
  std::lock_guard lock(mu_);
  entries_.erase(connection);
}

void ConnectionWatch::headers_done(const void* connection) {
  enter(connection, Phase::kBody);
}

void ConnectionWatch::answering(const void* connection) {
  enter(connection, Phase::kAnswering);
}

void ConnectionWatch::request_done(const void* connection) {
  enter(connection, Phase::kIdle);
}

uint64_t ConnectionWatch::cuts() const {
  std::lock_guard lock(mu_);
  return cuts_;
}

void ConnectionWatch::enter(const void* connection, Phase phase) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(connection);
  if (it == entries_.end()) return;
  Entry& e = it->second;
  e.phase = phase;
  e.since = Clock::now();
  Counters c;
  if (tcp_counters(e.fd, c)) e.mark = phase == Phase::kAnswering ? c.acked : c.received;
}

void ConnectionWatch::run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, limits_.tick);
    auto now = Clock::now();
    for (auto& [connection, e] : entries_) {
      if (e.cut) continue;
      std::string why = verdict(e, now);
      if (why.empty()) continue;
      // Under the lock: closed() (which libmicrohttpd calls before it
      // closes the descriptor) cannot run, so `fd` is still this
      // connection's. libmicrohttpd then sees the end of the stream.
      ::shutdown(e.fd, SHUT_RDWR);
      e.cut = true;
      ++cuts_;
      log::info("cut the connection from " + e.address + ": " + why);
    }
  }
}

std::string ConnectionWatch::verdict(Entry& e, Clock::time_point now) const {
  switch (e.phase) {
    case Phase::kHeaders:
      // Unread bytes: the server is behind, not the client.
      if (now - e.since < limits_.header_timeout || queued(e.fd, SIOCINQ) > 0) return {};
      return "no complete request line and headers within " + seconds_text(limits_.header_timeout) +
             " (http.header_timeout)";
    case Phase::kBody: return rate_verdict(e, now, "it sent its body");
    case Phase::kAnswering: return rate_verdict(e, now, "it read its response");
    case Phase::kIdle: {
      // The first byte of the next request starts its header deadline.
      Counters c;
      if (tcp_counters(e.fd, c) && c.received > e.mark) {
        e.phase = Phase::kHeaders;
        e.since = now;
      }
      return {};
    }
  }
  return {};
}

std::string ConnectionWatch::rate_verdict(Entry& e, Clock::time_point now, const char* what) const {
  if (limits_.min_rate == 0 || now - e.since < limits_.rate_window) return {};
  Counters c;
  if (!tcp_counters(e.fd, c)) return {};
  bool sending = e.phase == Phase::kAnswering;
  uint64_t count = sending ? c.acked : c.received;
  double seconds = std::chrono::duration<double>(now - e.since).count();
  double rate = static_cast<double>(count - e.mark) / seconds;
  // Nothing left to send, or bytes not yet read: the server is the slow one.
  bool server_behind = sending ? queued(e.fd, SIOCOUTQ) == 0 : queued(e.fd, SIOCINQ) > 0;
  e.since = now;
  e.mark = count;
  if (server_behind || rate >= static_cast<double>(limits_.min_rate)) return {};
  char text[160];
  snprintf(text, sizeof text, "%s at %.0f bytes/s over %.1f s, under http.min_rate (%llu bytes/s)",
           what, rate, seconds, static_cast<unsigned long long>(limits_.min_rate));
  return text;
}

}  // namespace ferry::http

// http::ConnectionWatch on real loopback TCP connections, with short limits.
#include "daemon/http/connection_watch.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace ferry::http {
namespace {

using namespace std::chrono_literals;

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// A connected pair: `server` as accept() returned it, `client` the peer.
struct Pair {
  Fd client{-1}, server{-1};
  Pair() {
    Fd listener(::socket(AF_INET, SOCK_STREAM, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof addr;
    ::bind(listener.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listener.fd, 1);
    ::getsockname(listener.fd, reinterpret_cast<sockaddr*>(&addr), &length);
    client.fd = ::socket(AF_INET, SOCK_STREAM, 0);
    ::connect(client.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    server.fd = ::accept(listener.fd, nullptr, nullptr);
  }
  // Whether the client sees the end of the stream within `wait`.
  bool client_sees_end(std::chrono::milliseconds wait) const {
    pollfd p{client.fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(wait.count())) != 1) return false;
    char c;
    return ::recv(client.fd, &c, 1, 0) == 0;
  }
  void client_sends(size_t bytes) const {
    std::string data(bytes, 'x');
    ASSERT_EQ(::send(client.fd, data.data(), bytes, 0), static_cast<ssize_t>(bytes));
  }
  // The server reads what arrived, as libmicrohttpd would.
  void server_reads() const {
    char buf[4096];
    while (::recv(server.fd, buf, sizeof buf, MSG_DONTWAIT) > 0) {
    }
  }
};

WatchLimits quick() {
  WatchLimits l;
  l.header_timeout = 300ms;
  l.min_rate = 1000;
  l.rate_window = 300ms;
  l.tick = 20ms;
  return l;
}

// A watch with short limits, started, following one fresh connection `p`.
class ConnectionWatchTest : public ::testing::Test {
 protected:
  ConnectionWatchTest() : watch(quick()) {
    watch.start();
    watch.opened(&key, p.server.fd, "127.0.0.1");
  }
  ~ConnectionWatchTest() override {
    if (!closed_) watch.closed(&key);
  }
  void close_connection() {
    watch.closed(&key);
    closed_ = true;
  }

  Pair p;
  int key = 0;
  ConnectionWatch watch;

 private:
  bool closed_ = false;
};

TEST_F(ConnectionWatchTest, CutsHeadersNotCompleteByTheDeadlineHoweverTheyTrickle) {
  for (int i = 0; i < 4; ++i) {  // a byte every 50 ms
    p.client_sends(1);
    p.server_reads();
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(p.client_sees_end(2000ms));
  EXPECT_EQ(watch.cuts(), 1u);
}

TEST_F(ConnectionWatchTest, LeavesHeadersCompleteInTimeAndASteadyBodyAlone) {
  watch.headers_done(&key);
  for (int i = 0; i < 20; ++i) {  // 100 bytes every 20 ms: 5000 bytes/s
    p.client_sends(100);
    p.server_reads();
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_FALSE(p.client_sees_end(0ms));
  EXPECT_EQ(watch.cuts(), 0u);
}

TEST_F(ConnectionWatchTest, CutsABodyBelowTheMinimumRate) {
  watch.headers_done(&key);
  p.client_sends(10);
  p.server_reads();
  EXPECT_TRUE(p.client_sees_end(2000ms));
}

TEST_F(ConnectionWatchTest, DoesNotBlameTheClientForBytesTheServerHasNotRead) {
  watch.headers_done(&key);
  p.client_sends(10);  // never read: the server is the slow one
  EXPECT_FALSE(p.client_sees_end(1000ms));
  EXPECT_EQ(watch.cuts(), 0u);
}

TEST_F(ConnectionWatchTest, AnIdleKeptAliveConnectionWaitsButItsNextRequestHasADeadline) {
  watch.headers_done(&key);
  watch.answering(&key);
  watch.request_done(&key);
  EXPECT_FALSE(p.client_sees_end(700ms));  // idle: libmicrohttpd's idle timeout
  p.client_sends(1);                       // the next request starts ...
  p.server_reads();
  EXPECT_TRUE(p.client_sees_end(2000ms));  // ... and never finishes its headers
}

TEST_F(ConnectionWatchTest, NeverTouchesAConnectionAfterItClosed) {
  close_connection();
  EXPECT_FALSE(p.client_sees_end(700ms));
  EXPECT_EQ(watch.cuts(), 0u);
}

}  // namespace
}  // namespace ferry::http

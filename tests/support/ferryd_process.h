// Starts the real ferryd binary on a free loopback port and stops it.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace ferry::testing {

class FerrydProcess {
 public:
  // Starts `ferryd serve` on data_dir and waits until /v2/ answers.
  explicit FerrydProcess(std::string data_dir, std::vector<std::string> extra_args = {});
  ~FerrydProcess();
  FerrydProcess(const FerrydProcess&) = delete;
  FerrydProcess& operator=(const FerrydProcess&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  // Sends a signal and waits; returns the exit status (or 128+signal).
  int stop(int signal);
  void send_signal(int signal);
  // Waits for the process to end; returns the exit status (or 128+signal).
  int wait_exit();
  const std::string& log_path() const { return log_path_; }
  std::string log() const;

 private:
  std::string data_dir_;
  std::string log_path_;
  int port_ = 0;
  pid_t pid_ = -1;
};

int free_port();

// Runs `ferryd ARGS...` to completion (for start-up failures); returns the
// exit status and puts what it printed in *output.
int run_ferryd(const std::vector<std::string>& args, std::string* output);

// A raw TCP connection to 127.0.0.1:port, for clients that misbehave.
class RawConnection {
 public:
  explicit RawConnection(int port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;
  bool connected() const { return fd_ >= 0; }
  void send(const std::string& data);
  // Reads until the peer closes or timeout_ms passes without data.
  std::string read_all(int timeout_ms);
  // True when the server closed the connection within timeout_ms.
  bool closed_by_peer(int timeout_ms);

 private:
  int fd_ = -1;
};

}  // namespace ferry::testing

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
  const std::string& log_path() const { return log_path_; }
  std::string log() const;

 private:
  std::string data_dir_;
  std::string log_path_;
  int port_ = 0;
  pid_t pid_ = -1;
};

int free_port();

}  // namespace ferry::testing

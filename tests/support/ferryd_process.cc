#include "tests/support/ferryd_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace ferry::testing {

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

namespace {

bool answers(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

// The programs under test run through FERRY_LAUNCHER when the build is a
// cross-build (qemu-user, from CMAKE_CROSSCOMPILING_EMULATOR): binfmt_misc
// is not mounted on the build machines, so execv of an ARM binary fails.
std::vector<std::string> with_launcher(std::vector<std::string> args) {
  std::vector<std::string> all;
  std::istringstream launcher(FERRY_LAUNCHER);
  for (std::string word; launcher >> word;) all.push_back(word);
  all.insert(all.end(), args.begin(), args.end());
  return all;
}

}  // namespace

FerrydProcess::FerrydProcess(std::string data_dir, std::vector<std::string> extra_args)
    : data_dir_(std::move(data_dir)), log_path_(data_dir_ + ".log"), port_(free_port()) {
  std::vector<std::string> args = {FERRYD_PATH,  "serve",
                                   "--listen",   "127.0.0.1:" + std::to_string(port_),
                                   "--data-dir", data_dir_};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  args = with_launcher(std::move(args));
  pid_ = fork();
  if (pid_ == 0) {
    int log = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(log, STDERR_FILENO);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  for (int i = 0; i < 3000; ++i) {  // 30 s: qemu-user on a busy box starts slowly
    if (answers(port_)) return;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("ferryd exited at start: " + log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw std::runtime_error("ferryd did not start listening: " + log());
}

FerrydProcess::~FerrydProcess() {
  if (pid_ > 0) stop(SIGKILL);
}

int FerrydProcess::stop(int signal) {
  send_signal(signal);
  return wait_exit();
}

void FerrydProcess::send_signal(int signal) {
  if (pid_ > 0) kill(pid_, signal);
}

int FerrydProcess::wait_exit() {
  if (pid_ <= 0) return -1;
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

int run_ferryd(const std::vector<std::string>& args, std::string* output) {
  std::string out_path =
      std::filesystem::temp_directory_path() / ("ferryd-run-" + std::to_string(getpid()) + ".out");
  pid_t pid = fork();
  if (pid == 0) {
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(out, STDOUT_FILENO);
    dup2(out, STDERR_FILENO);
    std::vector<std::string> all = {FERRYD_PATH};
    all.insert(all.end(), args.begin(), args.end());
    all = with_launcher(std::move(all));
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  for (int i = 0; i < 1000 && waitpid(pid, &status, WNOHANG) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (waitpid(pid, &status, WNOHANG) == 0) {  // still running after 10 s
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  std::ifstream in(out_path);
  std::stringstream ss;
  ss << in.rdbuf();
  *output = ss.str();
  std::filesystem::remove(out_path);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

RawConnection::RawConnection(int port) {
  fd_ = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd_);
    fd_ = -1;
  }
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) close(fd_);
}

void RawConnection::send(const std::string& data) {
  ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
  (void)n;
}

std::string RawConnection::read_all(int timeout_ms) {
  std::string out;
  char buf[4096];
  while (true) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) break;
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

bool RawConnection::closed_by_peer(int timeout_ms) {
  pollfd p{fd_, POLLIN, 0};
  if (poll(&p, 1, timeout_ms) <= 0) return false;
  char c;
  return recv(fd_, &c, 1, MSG_PEEK) == 0 || (p.revents & (POLLHUP | POLLERR));
}

std::string FerrydProcess::log() const {
  std::ifstream in(log_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace ferry::testing

// The daemon as an operator meets it: configuration, exit codes, misbehaving
// clients, shutdown, housekeeping.
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/integration/registry_fixture.h"

namespace ferry::testing {
namespace {

using namespace std::chrono_literals;

std::string write_config(const TempDir& dir, const std::string& text) {
  std::string path = dir / "ferryd.toml";
  std::ofstream(path) << text;
  return path;
}

TEST(DaemonStartup, BadConfigurationExitsTwoAndSaysWhere) {
  TempDir dir;
  std::string out;
  std::string broken = write_config(dir, "listen = \n");
  EXPECT_EQ(run_ferryd({"serve", "--config", broken, "--data-dir", dir / "d"}, &out), 2);
  EXPECT_NE(out.find("ferryd.toml:1"), std::string::npos) << out;

  std::string wrong_type = write_config(dir, "[http]\nthreads = \"four\"\n");
  EXPECT_EQ(run_ferryd({"serve", "--config", wrong_type, "--data-dir", dir / "d"}, &out), 2);
  EXPECT_NE(out.find("'http.threads' must be an integer"), std::string::npos) << out;

  EXPECT_EQ(run_ferryd({"serve", "--listen", "nonsense", "--data-dir", dir / "d"}, &out), 2);
  EXPECT_NE(out.find("'nonsense' has no port; write nonsense:5000"), std::string::npos) << out;
  EXPECT_EQ(run_ferryd({"serve", "--listen", "::1:5000", "--data-dir", dir / "d"}, &out), 2);
  EXPECT_NE(out.find("write [::1]:5000"), std::string::npos) << out;

  std::string number = write_config(dir, "listen = 5000\n");
  EXPECT_EQ(run_ferryd({"serve", "--config", number, "--data-dir", dir / "d"}, &out), 2);
  EXPECT_NE(out.find("'listen' must be an address such as \"127.0.0.1:5000\", or an array"),
            std::string::npos)
      << out;
  std::string empty = write_config(dir, "listen = []\n");
  EXPECT_EQ(run_ferryd({"serve", "--config", empty, "--data-dir", dir / "d"}, &out), 2);
  std::string bad_item = write_config(dir, "listen = [\"127.0.0.1:0\", \"[::1]:http\"]\n");
  EXPECT_EQ(run_ferryd({"serve", "--config", bad_item, "--data-dir", dir / "d"}, &out), 2);
  EXPECT_NE(out.find("'[::1]:http' has port 'http'"), std::string::npos) << out;
  EXPECT_EQ(run_ferryd({"serve", "--bogus-flag"}, &out), 2);
}

TEST(DaemonStartup, PortInUseExitsThreeAndUnusableDataDirExitsFour) {
  TempDir dir;
  FerrydProcess first(dir / "a");
  std::string out;
  EXPECT_EQ(run_ferryd({"serve", "--listen", "127.0.0.1:" + std::to_string(first.port()),
                        "--data-dir", dir / "b"},
                       &out),
            3);
  EXPECT_NE(out.find("cannot listen on 127.0.0.1:"), std::string::npos) << out;
  std::ofstream(dir / "file") << "not a directory";
  EXPECT_EQ(run_ferryd({"serve", "--listen", "127.0.0.1:0", "--data-dir", dir / "file/data"}, &out),
            4);
  EXPECT_NE(out.find("cannot open data directory"), std::string::npos) << out;
}

TEST(Daemon, StuckClientsAreCutOffAndCannotExhaustIt) {
  TempDir dir;
  std::string config = write_config(dir, "[http]\nconnection_limit = 8\nidle_timeout = \"1s\"\n");
  FerrydProcess server(dir / "data", {"--config", config});
  std::vector<std::unique_ptr<RawConnection>> stuck;
  for (int i = 0; i < 8; ++i) {
    stuck.push_back(std::make_unique<RawConnection>(server.port()));
    stuck.back()->send("GET /v2/ HTTP/1.1\r\nHost: localhost\r\n");  // never finishes
  }
  for (auto& c : stuck) EXPECT_TRUE(c->closed_by_peer(3000)) << "idle timeout must cut it off";
  EXPECT_EQ(http_get(server.url() + "/v2/").status, 200) << "the server is usable again";
}

TEST(Daemon, SigtermLetsARequestInFlightFinishThenExitsZero) {
  TempDir dir;
  FerrydProcess server(dir / "data");
  auto start = http({"POST", server.url() + "/v2/r/blobs/uploads/", {}, "", false});
  std::string loc = start.header("location");
  RawConnection slow(server.port());
  slow.send("PATCH " + loc + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n\r\n12345");
  std::this_thread::sleep_for(200ms);
  server.send_signal(SIGTERM);
  std::this_thread::sleep_for(300ms);
  EXPECT_FALSE(RawConnection(server.port()).connected()) << "no new connections while draining";
  slow.send("67890");
  std::string reply = slow.read_all(3000);
  EXPECT_EQ(reply.substr(0, 21), "HTTP/1.1 202 Accepted") << reply;
  EXPECT_NE(reply.find("Range: 0-9"), std::string::npos) << reply << server.log();
  EXPECT_EQ(server.wait_exit(), 0);
}

TEST(Daemon, AbandonedUploadsExpireWithTheirFiles) {
  TempDir dir;
  std::string loc;
  {
    FerrydProcess server(dir / "data");
    loc = http({"POST", server.url() + "/v2/r/blobs/uploads/", {}, "", false}).header("location");
    http({"PATCH", server.url() + loc, {}, "partial", false});
    EXPECT_FALSE(std::filesystem::is_empty(dir / "data/uploads"));
    server.stop(SIGTERM);
  }
  std::this_thread::sleep_for(2100ms);  // ages are counted in whole seconds
  std::string config = write_config(dir, "[uploads]\nexpire_after = \"1s\"\n");
  FerrydProcess server(dir / "data", {"--config", config});
  // The log line is written once expiry has finished (file, row and state).
  for (int i = 0; i < 250 && server.log().find("removed 1 abandoned upload") == std::string::npos;
       ++i) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_NE(server.log().find("removed 1 abandoned upload"), std::string::npos);
  EXPECT_TRUE(std::filesystem::is_empty(dir / "data/uploads"));
  EXPECT_EQ(http_get(server.url() + loc).error_code(), "BLOB_UPLOAD_UNKNOWN");
}

}  // namespace
}  // namespace ferry::testing

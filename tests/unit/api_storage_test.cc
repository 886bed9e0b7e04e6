// GET /ferry/v1/storage, POST /ferry/v1/gc and /ferry/v1/scrub
// (docs/console.md, "Storage and jobs"): shapes, who sees what, and one
// job of a kind at a time, its outcome kept as "last".
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "access/accounts.h"
#include "core/file_lock.h"
#include "core/job_runs.h"
#include "tests/support/in_process.h"

namespace ferry::testing {
namespace {

constexpr const char* kPassword = "correct horse";

RegistryOptions with_jobs(uint64_t scrub_rate = 0) {
  RegistryOptions options;
  options.gate = true;
  options.jobs = true;
  options.scrub_rate = scrub_rate;
  return options;
}

class ApiStorage : public ::testing::Test {
 protected:
  void SetUp() override { setup(api_); }

  static void setup(InProcess& api) {
    api.add_console_users(kPassword);
    api.with_accounts([](access::Accounts& a) {
      access::NamespaceChange change;
      change.set.quota = access::Quota(uint64_t{1} << 30);
      a.change_namespace("team", change);
    });
    api.push_image("team/app", "v1", "layer one", admin());
    api.push_image("team/tool", "v1", "layer one", admin());  // the same layer, counted once
    api.push_image("other/app", "v1", "other layer", admin());
  }

  static Headers admin() { return {{"Authorization", basic("root", kPassword)}}; }
  static Headers as(const char* user) { return {{"Authorization", basic(user, kPassword)}}; }

  // Polls storage until `kind` is no longer running (at most ~20 s).
  static nlohmann::json settled(InProcess& api, const char* kind) {
    for (int i = 0; i < 400; ++i) {
      auto j = api.get("/ferry/v1/storage", admin()).json();
      if (!j[kind]["running"].get<bool>()) return j;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << kind << " still running";
    return {};
  }

  InProcess api_{with_jobs()};
};

TEST_F(ApiStorage, AnAdminOfEverythingSeesTheWholeBox) {
  Reply r = api_.get("/ferry/v1/storage", admin());
  ASSERT_EQ(r.status, 200u) << r.body;
  auto j = r.json();
  EXPECT_GT(j["disk"]["totalBytes"].get<uint64_t>(), j["disk"]["freeBytes"].get<uint64_t>());
  EXPECT_EQ(j["disk"]["floorBytes"], 0);
  ASSERT_EQ(j["namespaces"].size(), 2u) << j.dump();
  EXPECT_EQ(j["namespaces"][0]["name"], "other");
  EXPECT_TRUE(j["namespaces"][0]["quota"].is_null());
  EXPECT_EQ(j["namespaces"][1]["name"], "team");
  EXPECT_EQ(j["namespaces"][1]["quota"], uint64_t{1} << 30);
  EXPECT_EQ(j["gc"], (nlohmann::json{{"running", false}, {"last", nullptr}}));
  EXPECT_EQ(j["scrub"], (nlohmann::json{{"running", false}, {"last", nullptr}}));
  EXPECT_EQ(j["damaged"], nlohmann::json::array());
  EXPECT_EQ(r.header("X-Frame-Options"), "DENY");
}

TEST_F(ApiStorage, SharedBlobsCountOnceInTheirNamespace) {
  auto ns = api_.get("/ferry/v1/storage", admin()).json()["namespaces"];
  uint64_t other = ns[0]["bytes"], team = ns[1]["bytes"];
  // team's two repositories hold the same image (same layer, config and
  // manifest): counted once, so about the size of other's one image.
  EXPECT_LT(team, other + 16) << ns.dump();
  EXPECT_GT(team + 16, other) << ns.dump();
}

TEST_F(ApiStorage, ANamespaceAdminSeesTheirsOnlyAndAReaderNothing) {
  Reply lead = api_.get("/ferry/v1/storage", as("lead"));
  ASSERT_EQ(lead.status, 200u) << lead.body;
  auto ns = lead.json()["namespaces"];
  ASSERT_EQ(ns.size(), 1u) << ns.dump();
  EXPECT_EQ(ns[0]["name"], "team");
  EXPECT_API_ERROR(api_.post("/ferry/v1/gc", "", as("lead")), 403u, "DENIED");
  EXPECT_API_ERROR(api_.get("/ferry/v1/storage", as("viewer")), 403u, "DENIED");
  EXPECT_API_ERROR(api_.post("/ferry/v1/scrub", "{}", as("viewer")), 403u, "DENIED");
  EXPECT_API_ERROR(api_.get("/ferry/v1/storage"), 401u, "UNAUTHORIZED");
  EXPECT_API_ERROR(api_.get("/ferry/v1/gc", admin()), 405u, "UNSUPPORTED");
}

TEST_F(ApiStorage, AGcStartsThenRefusesASecondWhileItRuns) {
  api_.del("/v2/other/app/manifests/v1", admin());
  std::optional<FileLock> held;
  {
    // An import holds the lock: the GC started waits for it.
    held = FileLock::acquire(api_.store().import_lock_path(), false);
    Reply started = api_.post("/ferry/v1/gc", "", admin());
    ASSERT_EQ(started.status, 202u) << started.body;
    EXPECT_EQ(started.json(), (nlohmann::json{{"started", true}}));
    EXPECT_EQ(api_.get("/ferry/v1/storage", admin()).json()["gc"]["running"], true);
    Reply again = api_.post("/ferry/v1/gc", "{}", admin());
    EXPECT_API_ERROR(again, 409u, "EXISTS");
    EXPECT_NE(again.body.find("running"), std::string::npos) << again.body;
  }
  held.reset();
  auto j = settled(api_, "gc");
  auto last = j["gc"]["last"];
  ASSERT_TRUE(last.is_object()) << j.dump();
  EXPECT_EQ(last["trigger"], "api:root");
  EXPECT_TRUE(last["error"].is_null());
  EXPECT_GE(last["removedManifests"].get<uint64_t>(), 1u) << "other/app's manifest went";
  EXPECT_GT(last["freedBytes"].get<uint64_t>(), 0u);
  EXPECT_GE(last["finishedAt"].get<int64_t>(), last["startedAt"].get<int64_t>());
  auto audit = api_.get("/ferry/v1/audit?action=gc+start", admin()).json()["entries"];
  ASSERT_EQ(audit.size(), 2u) << audit.dump();
  EXPECT_EQ(audit[0]["result"], "refused");
  EXPECT_EQ(audit[1]["result"], "ok");
  // A second one may start now.
  EXPECT_EQ(api_.post("/ferry/v1/gc", "", admin()).status, 202u);
  settled(api_, "gc");
}

TEST_F(ApiStorage, AScrubStartsAndItsOutcomeOutlivesTheServer) {
  {
    InProcess slow{with_jobs(/*scrub_rate=*/1)};  // a byte a second: runs until stopped
    setup(slow);
    EXPECT_EQ(slow.post("/ferry/v1/scrub", "", admin()).status, 202u);
    EXPECT_API_ERROR(slow.post("/ferry/v1/scrub", "", admin()), 409u, "EXISTS");
    EXPECT_EQ(slow.get("/ferry/v1/storage", admin()).json()["scrub"]["running"], true);
  }  // stopped with its server: a stopped scrub is not recorded
  EXPECT_EQ(api_.post("/ferry/v1/scrub", "", admin()).status, 202u);
  auto last = settled(api_, "scrub")["scrub"]["last"];
  ASSERT_TRUE(last.is_object());
  EXPECT_GE(last["checked"].get<uint64_t>(), 4u) << last.dump();
  EXPECT_EQ(last["damaged"], 0);
  EXPECT_EQ(last["trigger"], "api:root");
  // Kept in the data dir's database: what a restarted ferryd reads.
  auto kept = JobRuns(api_.store().database()).last("scrub");
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->checked, last["checked"].get<uint64_t>());
}

TEST(JobRunsTest, ScheduledAndCtlRunsAreRecordedToo) {
  TempDir dir;
  StoreOptions options;
  options.data_dir = dir.path();
  Store store(options);
  GcOptions now;
  now.grace = std::chrono::seconds(0);
  auto report = run_gc(store, now, std::chrono::seconds(1), "ferryctl:tester");
  ASSERT_TRUE(report);
  auto gc = JobRuns(store.database()).last("gc");
  ASSERT_TRUE(gc);
  EXPECT_EQ(gc->trigger, "ferryctl:tester");
  GcOptions dry = now;
  dry.dry_run = true;
  run_gc(store, dry, std::chrono::seconds(1), "dry");
  EXPECT_EQ(JobRuns(store.database()).last("gc")->trigger, "ferryctl:tester")
      << "a dry run is not a GC";
  run_scrub(store, ScrubOptions{}, {}, "schedule");
  EXPECT_EQ(JobRuns(store.database()).last("scrub")->trigger, "schedule");
}

}  // namespace
}  // namespace ferry::testing

// The upload ledger: grants decided under one lock, so concurrent writers
// cannot together take more than a quota allows; refusals give bytes back.
#include "core/upload_ledger.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

namespace ferry {
namespace {

// A quota of `limit` bytes over everything held under "team".
UploadLedger::Admit quota(uint64_t limit) {
  return [limit](const UploadLedger::View& view, const UploadLedger::Want& want) {
    if (view.held_under("team") + want.adds > limit) throw std::runtime_error("over quota");
  };
}

TEST(UploadLedger, AGrantWithinTheQuotaIsHeldUnderItsNamespace) {
  UploadLedger ledger;
  ledger.open_session("s1", "team/app", "dev", quota(100));
  EXPECT_EQ(ledger.grant("s1", 60, 60, quota(100)), 60u);
  UploadLedger::Admit look = [](const UploadLedger::View& v, const UploadLedger::Want&) {
    EXPECT_EQ(v.held_under("team"), 60u);
    EXPECT_EQ(v.held_under("team/app"), 60u);
    EXPECT_EQ(v.held_under("tea"), 0u) << "prefixes match whole components";
    EXPECT_EQ(v.held_by("dev"), 60u);
    EXPECT_EQ(v.sessions_of("dev"), 1u);
    EXPECT_EQ(v.sessions_under("team"), 1u);
  };
  ledger.open_session("s2", "other/app", "ops", look);
}

TEST(UploadLedger, AStepThatDoesNotFitFallsBackToWhatIsNeeded) {
  UploadLedger ledger;
  ledger.open_session("s1", "team/app", "dev", {});
  EXPECT_EQ(ledger.grant("s1", 10, 1000, quota(100)), 10u) << "not the step, the piece";
  EXPECT_THROW(ledger.grant("s1", 101, 101, quota(100)), std::runtime_error);
  EXPECT_EQ(ledger.held_total(), 10u) << "a refusal changes nothing";
}

TEST(UploadLedger, ARefusalReleasesTheRequestsBytesInTheSameStep) {
  UploadLedger ledger;
  ledger.open_session("s1", "team/app", "dev", {});
  ledger.grant("s1", 50, 50, quota(100));
  ledger.landed("s1", 50);
  ledger.grant("s1", 90, 90, quota(100));
  ledger.landed("s1", 90);
  EXPECT_THROW(ledger.grant("s1", 120, 120, quota(100), 50), std::runtime_error);
  EXPECT_EQ(ledger.held_total(), 50u) << "back to where the request started";
}

TEST(UploadLedger, TrimGivesBackWhatWasGrantedButNotWritten) {
  UploadLedger ledger;
  ledger.open_session("s1", "team/app", "dev", {});
  ledger.grant("s1", 80, 80, {});
  ledger.landed("s1", 30);
  ledger.trim("s1");
  EXPECT_EQ(ledger.held_total(), 30u);
  ledger.remove("s1");
  EXPECT_EQ(ledger.held_total(), 0u);
}

TEST(UploadLedger, AWriteInFlightCountsUntilItsHoldGoes) {
  UploadLedger ledger;
  {
    UploadLedger::WriteHold hold(ledger, "team/app", "dev");
    hold.reserve(70, 70, quota(100));
    EXPECT_THROW(hold.reserve(170, 170, quota(100)), std::runtime_error);
    EXPECT_EQ(ledger.held_total(), 70u);
  }
  EXPECT_EQ(ledger.held_total(), 0u);
}

TEST(UploadLedger, RetainSessionsDropsSessionsGoneFromTheDatabaseButNotWrites) {
  UploadLedger ledger;
  ledger.restore_session("old", "team/app", 40);
  ledger.restore_session("kept", "team/app", 5);
  UploadLedger::WriteHold hold(ledger, "team/app", "dev");
  hold.reserve(7, 7, {});
  ledger.retain_sessions({"kept"});
  EXPECT_EQ(ledger.held_total(), 12u);
}

TEST(UploadLedger, ConcurrentWritersCannotTogetherGoOverTheQuota) {
  UploadLedger ledger;
  constexpr uint64_t kQuota = 1 << 20, kPiece = 4096;
  std::vector<std::thread> writers;
  std::atomic<uint64_t> written{0};
  for (int w = 0; w < 8; ++w) {
    std::string id = "s" + std::to_string(w);
    ledger.open_session(id, "team/app", "dev", {});
    writers.emplace_back([&, id] {
      uint64_t mine = 0;
      try {
        for (;;) {
          ledger.grant(id, mine + kPiece, mine + 16 * kPiece, quota(kQuota), mine);
          mine += kPiece;
          ledger.landed(id, mine);
          written += kPiece;
        }
      } catch (const std::runtime_error&) {
      }
    });
  }
  for (auto& t : writers) t.join();
  EXPECT_LE(ledger.held_total(), kQuota);
  EXPECT_LE(written.load(), kQuota + 0) << "each piece was granted before it was counted";
}

}  // namespace
}  // namespace ferry

#include "daemon/http/body_budget.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace ferry::http {
namespace {

TEST(BodyBudget, ReservesUpToItsCapacityAndRefusesBeyond) {
  BodyBudget budget(100);
  BodyBudget::Reservation a, b, c;
  EXPECT_TRUE(budget.try_reserve(60, a));
  EXPECT_TRUE(budget.try_reserve(40, b));
  EXPECT_EQ(budget.used(), 100u);
  EXPECT_FALSE(budget.try_reserve(1, c));
  EXPECT_EQ(c.bytes(), 0u);
  EXPECT_EQ(budget.used(), 100u);
}

TEST(BodyBudget, GivesBytesBackWhenAReservationEnds) {
  BodyBudget budget(100);
  {
    BodyBudget::Reservation a;
    ASSERT_TRUE(budget.try_reserve(100, a));
    BodyBudget::Reservation moved = std::move(a);
    EXPECT_EQ(a.bytes(), 0u);
    EXPECT_EQ(budget.used(), 100u);
  }
  EXPECT_EQ(budget.used(), 0u);
  BodyBudget::Reservation again;
  EXPECT_TRUE(budget.try_reserve(100, again));
  again.release();
  again.release();  // twice is harmless
  EXPECT_EQ(budget.used(), 0u);
}

TEST(BodyBudget, AReservationReusedGivesItsOldBytesBackFirst) {
  BodyBudget budget(100);
  BodyBudget::Reservation r;
  ASSERT_TRUE(budget.try_reserve(80, r));
  EXPECT_TRUE(budget.try_reserve(90, r));  // the 80 went back first
  EXPECT_EQ(budget.used(), 90u);
  EXPECT_FALSE(budget.try_reserve(101, r));
  EXPECT_EQ(budget.used(), 0u);
}

TEST(BodyBudget, ZeroCapacityRefusesEveryByte) {
  BodyBudget budget(0);
  BodyBudget::Reservation r;
  EXPECT_FALSE(budget.try_reserve(1, r));
  EXPECT_TRUE(budget.try_reserve(0, r));
}

TEST(BodyBudget, ConcurrentReservationsNeverExceedTheCapacity) {
  BodyBudget budget(1000);
  std::vector<std::thread> threads;
  std::atomic<uint64_t> over{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        BodyBudget::Reservation r;
        if (budget.try_reserve(300, r) && budget.used() > 1000) ++over;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(over.load(), 0u);
  EXPECT_EQ(budget.used(), 0u);
}

TEST(BodyBudget, OneClientHoldsAtMostAQuarterOrOneBody) {
  BodyBudget budget(100);
  BodyBudget::Reservation a, b, c, d, e;
  EXPECT_TRUE(budget.try_reserve(20, "10.0.0.1", a));
  EXPECT_TRUE(budget.try_reserve(5, "10.0.0.1", b));   // 25: its quarter
  EXPECT_FALSE(budget.try_reserve(1, "10.0.0.1", c));  // over it
  EXPECT_TRUE(budget.try_reserve(40, "10.0.0.2", d));  // one body of any size
  EXPECT_FALSE(budget.try_reserve(1, "10.0.0.2", e));
  a.release();
  b.release();
  EXPECT_TRUE(budget.try_reserve(25, "10.0.0.1", c));  // given back, it may again
  EXPECT_EQ(budget.used(), 65u);
  EXPECT_TRUE(budget.try_reserve(35, "", e));  // "" is not held to a share
  EXPECT_EQ(budget.used(), 100u);
}

}  // namespace
}  // namespace ferry::http

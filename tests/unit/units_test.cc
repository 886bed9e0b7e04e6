#include "core/units.h"

#include <gtest/gtest.h>

namespace ferry {
namespace {

TEST(Units, Sizes) {
  EXPECT_EQ(parse_size("4MiB"), 4u << 20);
  EXPECT_EQ(parse_size("4G"), 4ULL << 30);
  EXPECT_EQ(parse_size("512k"), 512u << 10);
  EXPECT_EQ(parse_size("100"), 100u);
  EXPECT_EQ(parse_size("3GB"), 3ULL << 30);
  EXPECT_FALSE(parse_size("4X"));
  EXPECT_FALSE(parse_size("MiB"));
  EXPECT_FALSE(parse_size("-1"));
  EXPECT_FALSE(parse_size("99999999999T")) << "overflow";
}

TEST(Units, Durations) {
  EXPECT_EQ(parse_duration("30s")->count(), 30);
  EXPECT_EQ(parse_duration("15m")->count(), 900);
  EXPECT_EQ(parse_duration("24h")->count(), 86400);
  EXPECT_EQ(parse_duration("2d")->count(), 172800);
  EXPECT_EQ(parse_duration("7")->count(), 7);
  EXPECT_FALSE(parse_duration("1w"));
  EXPECT_FALSE(parse_duration("h"));
}

}  // namespace
}  // namespace ferry

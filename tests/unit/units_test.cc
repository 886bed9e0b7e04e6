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

TEST(Units, UtcTimes) {
  EXPECT_EQ(format_utc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(parse_utc("2026-11-28T03:00:00Z"), 1795834800);
  EXPECT_EQ(parse_utc("2026-11-28T03:00:00.123Z"), 1795834800);
  EXPECT_EQ(parse_utc("2026-11-28T03:00:00+00:00"), 1795834800);
  EXPECT_EQ(parse_utc(format_utc(1795834800)), 1795834800);
  EXPECT_FALSE(parse_utc("2026-11-28T03:00:00+02:00")) << "UTC only";
  EXPECT_FALSE(parse_utc("2026-13-01T00:00:00Z"));
  EXPECT_FALSE(parse_utc("tomorrow"));
}

TEST(Units, SizesForPeople) {
  EXPECT_EQ(format_size(512), "512 B");
  EXPECT_EQ(format_size(1536), "1.5 KiB");
  EXPECT_EQ(format_size(3ULL << 30), "3.0 GiB");
}

}  // namespace
}  // namespace ferry

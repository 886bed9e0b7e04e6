#include "daemon/http/range.h"

#include <gtest/gtest.h>

namespace ferry::http {
namespace {

TEST(Range, SatisfiableForms) {
  auto r = parse_range("bytes=0-9", 100);
  ASSERT_EQ(r.status, RangeStatus::kSatisfiable);
  EXPECT_EQ(r.range.first, 0u);
  EXPECT_EQ(r.range.last, 9u);
  r = parse_range("bytes=90-", 100);
  EXPECT_EQ(r.range.first, 90u);
  EXPECT_EQ(r.range.last, 99u);
  r = parse_range("bytes=-10", 100);
  EXPECT_EQ(r.range.first, 90u);
  r = parse_range("bytes=50-1000", 100);
  EXPECT_EQ(r.range.last, 99u) << "end is clamped to the size";
  r = parse_range("bytes=-1000", 100);
  EXPECT_EQ(r.range.first, 0u);
}

TEST(Range, UnsatisfiableOrMalformedIs416) {
  for (const char* bad :
       {"bytes=100-", "bytes=5-2", "bytes=abc", "bytes=-0", "bytes=1-x", "bytes="}) {
    EXPECT_EQ(parse_range(bad, 100).status, RangeStatus::kUnsatisfiable) << bad;
  }
  EXPECT_EQ(parse_range("bytes=0-", 0).status, RangeStatus::kUnsatisfiable) << "empty blob";
}

TEST(Range, OtherUnitsAndMultiRangeAreIgnored) {
  EXPECT_EQ(parse_range("items=0-1", 100).status, RangeStatus::kNone);
  EXPECT_EQ(parse_range("bytes=0-1,5-6", 100).status, RangeStatus::kNone);
}

TEST(ContentRange, SpecAndHttpForms) {
  auto r = parse_content_range("0-99");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->length(), 100u);
  r = parse_content_range("bytes 100-199/*");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->first, 100u);
  EXPECT_FALSE(parse_content_range("5-1"));
  EXPECT_FALSE(parse_content_range("x-1"));
  EXPECT_FALSE(parse_content_range("10"));
}

}  // namespace
}  // namespace ferry::http

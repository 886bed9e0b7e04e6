#include "daemon/http/range.h"

#include <gtest/gtest.h>

namespace ferry::http {
namespace {

void expect_span(std::string_view header, uint64_t size, uint64_t first, uint64_t last) {
  auto r = parse_range(header, size);
  ASSERT_EQ(r.status, RangeStatus::kSatisfiable) << header << " on " << size;
  EXPECT_EQ(r.range.first, first) << header << " on " << size;
  EXPECT_EQ(r.range.last, last) << header << " on " << size;
}

RangeStatus status(std::string_view header, uint64_t size) {
  return parse_range(header, size).status;
}

TEST(Range, SatisfiableForms) {
  expect_span("bytes=0-9", 100, 0, 9);
  expect_span("bytes=90-", 100, 90, 99);
  expect_span("bytes=-10", 100, 90, 99);
  expect_span("bytes=50-1000", 100, 50, 99);  // last-pos clamped to the size
  expect_span("bytes=-1000", 100, 0, 99);     // suffix longer than the content: all of it
  expect_span("bytes=99-99", 100, 99, 99);
  expect_span("bytes=-1", 1, 0, 0);
  expect_span("bytes=0-0", 1, 0, 0);
  expect_span(" Bytes = 3 - 4 ", 100, 3, 4);  // unit case-insensitive, whitespace allowed
}

TEST(Range, EmptyContent) {
  // RFC 9110 14.1.3: a non-zero suffix is satisfiable whatever the length;
  // the whole (empty) representation is the answer.
  EXPECT_EQ(status("bytes=-1", 0), RangeStatus::kNone);
  EXPECT_EQ(status("bytes=-500", 0), RangeStatus::kNone);
  EXPECT_EQ(status("bytes=-99999999999999999999999", 0), RangeStatus::kNone);
  // first-pos 0 is not below a length of 0; a zero suffix is never satisfiable.
  EXPECT_EQ(status("bytes=0-", 0), RangeStatus::kUnsatisfiable);
  EXPECT_EQ(status("bytes=0-0", 0), RangeStatus::kUnsatisfiable);
  EXPECT_EQ(status("bytes=-0", 0), RangeStatus::kUnsatisfiable);
  EXPECT_EQ(status("bytes=0-0,-1", 0), RangeStatus::kNone);
}

TEST(Range, FirstPosBeyondTheContentIs416) {
  EXPECT_EQ(status("bytes=100-", 100), RangeStatus::kUnsatisfiable);
  EXPECT_EQ(status("bytes=100-200", 100), RangeStatus::kUnsatisfiable);
  EXPECT_EQ(status("bytes=1-", 1), RangeStatus::kUnsatisfiable);
  EXPECT_EQ(status("bytes=-0", 100), RangeStatus::kUnsatisfiable);
}

TEST(Range, MalformedIs416) {
  for (const char* bad : {"bytes=5-2", "bytes=abc", "bytes=1-x", "bytes=", "bytes=,", "bytes=5",
                          "bytes=--5", "bytes=+1-2", "bytes=1-+2", "bytes=-+3", "bytes=0x1-2",
                          "bytes=1 2-3", "bytes=0-1,junk", "bytes=0-1,5-2"}) {
    EXPECT_EQ(status(bad, 100), RangeStatus::kUnsatisfiable) << bad;
    EXPECT_EQ(status(bad, 0), RangeStatus::kUnsatisfiable) << bad << " on empty";
  }
}

TEST(Range, HugeNumbersNeverWrap) {
  const char* k2p64 = "18446744073709551616";  // 2^64
  const char* kBig = "99999999999999999999999999999999";
  expect_span(std::string("bytes=0-") + k2p64, 100, 0, 99);
  expect_span(std::string("bytes=10-") + kBig, 100, 10, 99);
  expect_span(std::string("bytes=-") + kBig, 100, 0, 99);
  expect_span("bytes=0-18446744073709551615", 100, 0, 99);
  EXPECT_EQ(status(std::string("bytes=") + k2p64 + "-", 100), RangeStatus::kUnsatisfiable);
  EXPECT_EQ(status(std::string("bytes=") + kBig + "-" + kBig, 100), RangeStatus::kUnsatisfiable);
  EXPECT_EQ(status("bytes=18446744073709551615-", 100), RangeStatus::kUnsatisfiable);
  // first-pos 2^64 and last-pos 2^64-1: the second is smaller, an invalid range.
  EXPECT_EQ(status(std::string("bytes=") + k2p64 + "-18446744073709551615", 100),
            RangeStatus::kUnsatisfiable);
  // The largest representable content.
  const uint64_t max = UINT64_MAX;
  expect_span("bytes=-1", max, max - 1, max - 1);
  expect_span(std::string("bytes=0-") + kBig, max, 0, max - 1);
}

TEST(Range, MultipleRanges) {
  // Only one satisfiable element: that one.
  expect_span("bytes=0-9,200-300", 100, 0, 9);
  expect_span("bytes=-0, 5-6", 100, 5, 6);
  // Overlapping or adjacent: merged into one span.
  expect_span("bytes=0-9,5-19", 100, 0, 19);
  expect_span("bytes=10-19,0-9", 100, 0, 19);
  expect_span("bytes=0-1,,2-3", 100, 0, 3);  // empty list elements are allowed
  expect_span("bytes=-5,90-", 100, 90, 99);
  // Disjoint: the whole representation (200), which RFC 9110 allows.
  EXPECT_EQ(status("bytes=0-1,5-6", 100), RangeStatus::kNone);
  // None satisfiable: 416.
  EXPECT_EQ(status("bytes=100-,200-300,-0", 100), RangeStatus::kUnsatisfiable);
  // Absurdly many elements: ignored.
  std::string many = "bytes=0-0";
  for (int i = 0; i < 100; ++i) many += ",0-0";
  EXPECT_EQ(status(many, 100), RangeStatus::kNone);
}

TEST(Range, OtherUnitsAreIgnored) {
  EXPECT_EQ(status("items=0-1", 100), RangeStatus::kNone);
  EXPECT_EQ(status("bytesx=0-1", 100), RangeStatus::kNone);
  EXPECT_EQ(status("nonsense", 100), RangeStatus::kNone);
  EXPECT_EQ(status("", 0), RangeStatus::kNone);
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
  EXPECT_FALSE(parse_content_range("+1-2"));
  EXPECT_FALSE(parse_content_range("0-18446744073709551616")) << "2^64 does not fit";
  EXPECT_FALSE(parse_content_range("0-18446744073709551615")) << "length would wrap to 0";
  EXPECT_FALSE(parse_content_range("18446744073709551616-18446744073709551617"));
}

}  // namespace
}  // namespace ferry::http

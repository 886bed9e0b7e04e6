#include "core/json_strict.h"

#include <gtest/gtest.h>

namespace ferry {
namespace {

using namespace std::string_literals;

std::string error_of(std::string_view text) {
  return parse_json_strict(text).error;
}

TEST(JsonStrict, AcceptsOneValueWithSurroundingWhitespace) {
  auto r = parse_json_strict(" \n{\"a\":[1,{\"b\":\"\xC3\xA9\"}],\"c\":null}\r\n\t ");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.value["a"][1]["b"], "\xC3\xA9");
  EXPECT_TRUE(parse_json_strict("3").ok());
  EXPECT_TRUE(parse_json_strict("\"x\"").ok());
}

TEST(JsonStrict, RefusesWhatFollowsANulByte) {
  std::string text = "{\"a\":1}\0{\"b\":2}"s;
  ASSERT_EQ(text.size(), 15u);
  EXPECT_EQ(error_of(text), "it has a NUL byte (at byte 7)");
  EXPECT_EQ(error_of("{\"a\":1}\0"s), "it has a NUL byte (at byte 7)");
  EXPECT_EQ(error_of("{\"a\":\"x\0y\"}"s), "it has a NUL byte (at byte 7)");
}

TEST(JsonStrict, RefusesTrailingGarbageAndASecondValue) {
  EXPECT_EQ(error_of("{\"a\":1} x"), "there is more after the JSON value (at byte 8)");
  EXPECT_EQ(error_of("{\"a\":1}{\"a\":1}"), "there is more after the JSON value (at byte 7)");
  EXPECT_EQ(error_of("[1] 2"), "there is more after the JSON value (at byte 4)");
}

TEST(JsonStrict, RefusesDuplicateKeysAtAnyDepth) {
  EXPECT_EQ(error_of(R"({"layers":[],"layers":[1]})"),
            "it has the key \"layers\" twice in one object");
  EXPECT_EQ(error_of(R"({"a":{"b":[{"c":1,"d":2,"c":3}]}})"),
            "it has the key \"c\" twice in one object");
  // The same key in sibling or nested objects is fine.
  EXPECT_TRUE(parse_json_strict(R"({"a":{"a":1},"b":[{"a":1},{"a":2}]})").ok());
  // Keys equal after unescaping are the same key.
  EXPECT_FALSE(parse_json_strict(R"({"ab":1,"a\u0062":2})").ok());
}

TEST(JsonStrict, RefusesInvalidUtf8AndABom) {
  EXPECT_EQ(error_of("{\"a\":\"\xFF\"}"), "it is not valid UTF-8 (at byte 6)");
  EXPECT_EQ(error_of("{\"a\":\"\xC0\xAF\"}"), "it is not valid UTF-8 (at byte 6)");  // overlong
  EXPECT_EQ(error_of("{\"a\":\"\xED\xA0\x80\"}"),
            "it is not valid UTF-8 (at byte 6)");  // surrogate
  EXPECT_EQ(error_of("{\"a\":\"\xF4\x90\x80\x80\"}"), "it is not valid UTF-8 (at byte 6)");
  EXPECT_EQ(error_of("{\"a\":\"\xE2\x82\"}"), "it is not valid UTF-8 (at byte 6)");  // cut short
  EXPECT_EQ(error_of("\xEF\xBB\xBF{}"), "it starts with a byte order mark");
  EXPECT_FALSE(parse_json_strict(R"({"a":"\ud800"})").ok());      // a lone escaped surrogate
  EXPECT_TRUE(parse_json_strict("[\"\xF0\x9F\x9A\xA2\"]").ok());  // U+1F6A2
}

TEST(JsonStrict, LimitsNesting) {
  std::string deep = std::string(64, '[') + std::string(64, ']');
  EXPECT_TRUE(parse_json_strict(deep).ok());
  std::string deeper = std::string(65, '[') + std::string(65, ']');
  EXPECT_EQ(error_of(deeper), "it nests arrays and objects more than 64 deep");
  // Far deeper input stops at the limit rather than exhausting the stack.
  std::string abyss = std::string(1'000'000, '[');
  EXPECT_EQ(error_of(abyss), "it nests arrays and objects more than 64 deep");
}

TEST(JsonStrict, LimitsTheNumberOfValues) {
  EXPECT_TRUE(parse_json_strict("[1,2,3]", kMaxJsonDepth, 4).ok());  // the array and three
  EXPECT_EQ(parse_json_strict("[1,2,3,4]", kMaxJsonDepth, 4).error,
            "it has more than 4 JSON values");
  EXPECT_EQ(parse_json_strict("{\"a\":{},\"b\":{}}", kMaxJsonDepth, 2).error,
            "it has more than 2 JSON values");
  EXPECT_TRUE(parse_json_strict("[1,2,3,4]").ok());  // no limit by default
}

// 300,000 empty objects in one array: nlohmann's callback parser scanned
// the array at each object's end (quadratic: minutes); the checks are now
// one pass, so this is refused or read in well under a second.
TEST(JsonStrict, ManyObjectsInOneArrayAreCheckedInOnePass) {
  std::string text = "[";
  for (int i = 0; i < 300000; ++i) text += i ? ",{}" : "{}";
  text += "]";
  auto r = parse_json_strict(text);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.value.size(), 300000u);
  EXPECT_EQ(parse_json_strict(text, kMaxJsonDepth, 100000).error,
            "it has more than 100000 JSON values");
}

TEST(JsonStrict, SaysWhereTheSyntaxBreaks) {
  EXPECT_EQ(error_of(""), "it is empty");
  EXPECT_EQ(error_of("  "), "it is empty");
  EXPECT_EQ(error_of("{\"a\":}"), "it is not valid JSON (at byte 5)");
  EXPECT_EQ(error_of("{\"a\":1"), "it is not valid JSON (at byte 6)");
  EXPECT_EQ(error_of("{\"a\":1,}"), "it is not valid JSON (at byte 7)");
  EXPECT_EQ(error_of("// c\n{}"), "it is not valid JSON (at byte 0)");
  auto r = parse_json_strict("{\"a\":1} x");
  EXPECT_TRUE(r.value.is_null());
}

TEST(JsonStrict, FindsInvalidUtf8) {
  EXPECT_EQ(invalid_utf8_at("plain"), std::string_view::npos);
  EXPECT_EQ(invalid_utf8_at("ab\x80"), 2u);
}

}  // namespace
}  // namespace ferry

#include "core/printable.h"

#include <gtest/gtest.h>

namespace ferry {
namespace {

TEST(Printable, ControlCharactersAreEscaped) {
  EXPECT_EQ(printable("a\nb"), "a\\x0ab");
  EXPECT_EQ(printable("x\r\n2026-01-01T00:00:00.000Z info imported"),
            "x\\x0d\\x0a2026-01-01T00:00:00.000Z info imported");
  EXPECT_EQ(printable("\x1b]0;owned\x07"), "\\x1b]0;owned\\x07");
  EXPECT_EQ(printable(std::string("nul\0x", 5)), "nul\\x00x");
  EXPECT_EQ(printable("tab\there\x7f"), "tab\\x09here\\x7f");
}

TEST(Printable, Utf8IsKeptButC1AndBidiControlsAreNot) {
  EXPECT_EQ(printable("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x9a\xa2"),
            "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x9a\xa2");
  EXPECT_EQ(printable("\xc2\x9b"
                      "31m"),
            "\\u009b31m")
      << "C1 CSI";
  EXPECT_EQ(printable("a\xe2\x80\xae"
                      "cod.exe"),
            "a\\u202ecod.exe")
      << "right-to-left override";
  EXPECT_EQ(printable("\xe2\x81\xa6x"), "\\u2066x");
}

TEST(Printable, BytesThatAreNotUtf8AreEscaped) {
  EXPECT_EQ(printable("\x9b"
                      "31m"),
            "\\x9b31m")
      << "a lone 8-bit CSI";
  EXPECT_EQ(printable("\xc3"), "\\xc3") << "cut short";
  EXPECT_EQ(printable("\xc0\xaf"), "\\xc0\\xaf") << "overlong";
  EXPECT_EQ(printable("\xed\xa0\x80"), "\\xed\\xa0\\x80") << "a surrogate";
  EXPECT_EQ(printable("\xf5\x80\x80\x80"), "\\xf5\\x80\\x80\\x80") << "above U+10FFFF";
}

TEST(Printable, Idempotent) {
  for (std::string s : {"a\nb", "\x1b[2J", "\xc2\x9b", "\xff", "plain"}) {
    EXPECT_EQ(printable(printable(s)), printable(s)) << s;
  }
}

}  // namespace
}  // namespace ferry

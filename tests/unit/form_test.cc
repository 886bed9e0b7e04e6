// The OAuth2 token request's form body (daemon/http/form.h).
#include "daemon/http/form.h"

#include <gtest/gtest.h>

namespace ferry::http {
namespace {

TEST(FormTest, DecodesPairsPlusAndPercentEscapesKeepingRepeats) {
  auto f = parse_form(
      "grant_type=password&username=ci&password=p%40ss+word%21&scope=repository%3Ateam%2Fapp%3Apull"
      "&scope=repository:other:pull&&empty=&flag");
  ASSERT_TRUE(f);
  EXPECT_EQ(form_value(*f, "password"), "p@ss word!");
  EXPECT_EQ(form_value(*f, "scope"), "repository:team/app:pull") << "the first of a repeat";
  EXPECT_EQ(f->size(), 7u);
  EXPECT_EQ(form_value(*f, "empty"), "");
  EXPECT_EQ(form_value(*f, "flag"), "");
  EXPECT_FALSE(form_value(*f, "client_id"));
  EXPECT_TRUE(parse_form("")->empty());
}

TEST(FormTest, RefusesBrokenEscapes) {
  EXPECT_FALSE(parse_form("password=abc%"));
  EXPECT_FALSE(parse_form("password=abc%4"));
  EXPECT_FALSE(parse_form("password=%zz"));
  EXPECT_EQ(form_value(*parse_form("a=%41%62"), "a"), "Ab");
}

}  // namespace
}  // namespace ferry::http

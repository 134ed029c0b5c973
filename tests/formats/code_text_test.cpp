#include "formats/code_text.h"

#include <catch2/catch.hpp>

using namespace lp;

TEST_CASE("codes parse from 'x,y' text", "[code_text]") {
  std::vector<float> code;
  std::string error;
  REQUIRE(code_parse("0.25,-1.5", 2, &code, &error));
  CHECK(code == std::vector<float>{0.25f, -1.5f});
  REQUIRE(code_parse("-100,1e2", 2, &code, &error));
  CHECK(code == std::vector<float>{-100.0f, 100.0f});
}

TEST_CASE("bad code text is rejected with a reason", "[code_text]") {
  std::vector<float> code = {7.0f};
  std::string error;
  for (const char* bad : {"", "1", "1,2,3", "1,", ",1", "a,b", "nan,0", "inf,0", "1,2x", "1e9,0", "1 ,2", " 1,2",
                          "1,\t2", "0x10,0", "1,0X1p3"}) {
    INFO(bad);
    CHECK_FALSE(code_parse(bad, 2, &code, &error));
    CHECK_FALSE(error.empty());
  }
  CHECK(code == std::vector<float>{7.0f});  // untouched on failure
}

TEST_CASE("code lists parse space-separated codes", "[code_text]") {
  std::vector<std::vector<float>> codes;
  std::string error;
  REQUIRE(code_list_parse("-1.5,-1.5 1.5,1.5  10,10 -100,100", 2, &codes, &error));
  REQUIRE(codes.size() == 4);
  CHECK(codes[3] == std::vector<float>{-100.0f, 100.0f});
  CHECK_FALSE(code_list_parse("   ", 2, &codes, &error));
  CHECK_FALSE(code_list_parse("1,1 2,2 3,3", 2, &codes, &error, 2));
}

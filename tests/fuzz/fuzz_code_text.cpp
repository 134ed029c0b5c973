// fuzz_code_text: code_parse with 1..3 dimensions and code_list_parse on
// arbitrary text. Invariants: an accepted code has exactly `dims` finite values
// within the documented range, and it parses back to the same floats when
// printed; a list holds at most max_codes codes; a failure always says why.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "formats/code_text.h"
#include "fuzz_check.h"

namespace {

void check_code(const std::vector<float>& code, int dims) {
  FUZZ_CHECK(static_cast<int>(code.size()) == dims);
  for (float v : code) FUZZ_CHECK(std::isfinite(v) && std::fabs(v) <= 1e6f);
}

std::string print_code(const std::vector<float>& code) {
  std::string text;
  for (size_t i = 0; i < code.size(); ++i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(code[i]));
    text += (i ? "," : "") + std::string(buf);
  }
  return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (int dims = 1; dims <= 3; ++dims) {
    std::vector<float> code;
    std::string error;
    if (lp::code_parse(text, dims, &code, &error)) {
      check_code(code, dims);
      std::vector<float> again;
      FUZZ_CHECK(lp::code_parse(print_code(code), dims, &again, &error));
      FUZZ_CHECK(again == code);
    } else {
      FUZZ_CHECK(!error.empty());
    }

    for (size_t max_codes : {size_t{4}, size_t{4096}}) {
      std::vector<std::vector<float>> codes;
      if (lp::code_list_parse(text, dims, &codes, &error, max_codes)) {
        FUZZ_CHECK(!codes.empty() && codes.size() <= max_codes);
        for (const auto& c : codes) check_code(c, dims);
      } else {
        FUZZ_CHECK(!error.empty());
      }
    }
  }
  return 0;
}

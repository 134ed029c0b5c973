#include "formats/code_text.h"

#include <cmath>
#include <cstdlib>

namespace lp {
namespace {

constexpr double kMaxMagnitude = 1e6;

bool fail(std::string* error, std::string message) {
  *error = std::move(message);
  return false;
}

bool number_parse(std::string_view field, float* out, std::string* error) {
  if (field.empty()) return fail(error, "empty coordinate");
  if (field.size() > 64) return fail(error, "coordinate too long");
  const std::string text(field);  // strtod needs a terminator
  // Plain decimal only: strtod would also take leading spaces and hex ("0x1p3").
  if (text.find_first_of(" \t\n\r\f\vxX") != std::string::npos) return fail(error, "'" + text + "' is not a number");
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return fail(error, "'" + text + "' is not a number");
  if (!std::isfinite(value)) return fail(error, "'" + text + "' is not a finite number");
  if (std::fabs(value) > kMaxMagnitude) return fail(error, "'" + text + "' is out of range (|v| <= 1e6)");
  *out = static_cast<float>(value);
  return true;
}

}  // namespace

bool code_parse(std::string_view text, int dims, std::vector<float>* out, std::string* error) {
  std::vector<float> values;
  size_t start = 0;
  for (;;) {
    const size_t comma = text.find(',', start);
    const std::string_view field = text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
    float v;
    if (!number_parse(field, &v, error)) return false;
    values.push_back(v);
    if (static_cast<int>(values.size()) > dims) break;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (static_cast<int>(values.size()) != dims)
    return fail(error, "expected " + std::to_string(dims) + " comma-separated numbers, got '" + std::string(text.substr(0, 64)) + "'");
  *out = std::move(values);
  return true;
}

bool code_list_parse(std::string_view text, int dims, std::vector<std::vector<float>>* out, std::string* error,
                     size_t max_codes) {
  std::vector<std::vector<float>> codes;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == ' ') {
      ++i;
      continue;
    }
    const size_t end = std::min(text.find(' ', i), text.size());
    if (codes.size() == max_codes) return fail(error, "more than " + std::to_string(max_codes) + " codes");
    std::vector<float> code;
    if (!code_parse(text.substr(i, end - i), dims, &code, error)) return false;
    codes.push_back(std::move(code));
    i = end;
  }
  if (codes.empty()) return fail(error, "no codes given");
  *out = std::move(codes);
  return true;
}

}  // namespace lp

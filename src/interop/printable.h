// Text taken from an untrusted file, made safe to put in a message: control
// bytes escaped (a file must not be able to draw on the user's terminal) and
// the length capped.
#pragma once
#include <string>
#include <string_view>

namespace lp {

inline std::string printable(std::string_view text, size_t max = 80) {
  static const char hex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (out.size() >= max) {
      out += "...";
      break;
    }
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace lp

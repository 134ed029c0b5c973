// Latent codes written as text: "x,y" for one code (the CLI's --z, the page's
// ?z=), and space-separated codes for a list ("-1.5,-1.5 10,10").
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace lp {

// Parses exactly `dims` comma-separated finite numbers. Rejects NaN, infinity,
// empty fields, trailing garbage and magnitudes above 1e6 (the decoder is
// defined everywhere, but such codes are typos, not experiments).
bool code_parse(std::string_view text, int dims, std::vector<float>* out, std::string* error);
// A list of codes separated by spaces; at most max_codes of them.
bool code_list_parse(std::string_view text, int dims, std::vector<std::vector<float>>* out, std::string* error,
                     size_t max_codes = 4096);

}  // namespace lp

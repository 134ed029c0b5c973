// DEFLATE decompression (RFC 1951), for zip entries that were compressed after
// torch.save wrote them (re-zipped archives). The output size is known from
// the zip directory, so decompression stops the moment it would exceed it:
// a bomb costs no more than the size the directory admits to, which the zip
// reader has already bounded.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace lp {

// Inflates raw DEFLATE data into exactly `expected` bytes; fails on malformed
// data, on output beyond `expected` and on output short of it.
bool inflate_raw(const uint8_t* data, size_t size, size_t expected, std::vector<uint8_t>* out, std::string* error);

}  // namespace lp

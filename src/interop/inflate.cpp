#include "interop/inflate.h"

namespace lp {
namespace {

constexpr int kMaxBits = 15;

// A canonical Huffman code: how many codes have each length, and the symbols
// in code order. Decoding walks the lengths one bit at a time.
struct Huffman {
  uint16_t count[kMaxBits + 1] = {};
  uint16_t symbol[288] = {};
};

class Inflater {
 public:
  Inflater(const uint8_t* data, size_t size, size_t expected, std::vector<uint8_t>& out)
      : p_(data), end_(data + size), expected_(expected), out_(out) {}

  bool run(std::string* error) {
    out_.clear();
    out_.reserve(expected_);
    bool last = false;
    while (!last) {
      uint32_t header;
      if (!bits(3, &header)) return fail(error);
      last = header & 1;
      const uint32_t type = header >> 1;
      bool ok = false;
      if (type == 0) ok = stored();
      else if (type == 1) ok = fixed();
      else if (type == 2) ok = dynamic();
      else problem_ = "a block of reserved type 3";
      if (!ok) return fail(error);
    }
    if (out_.size() != expected_) {
      problem_ = "it inflates to " + std::to_string(out_.size()) + " bytes, not the " + std::to_string(expected_) +
                 " its directory says";
      return fail(error);
    }
    return true;
  }

 private:
  const uint8_t* p_;
  const uint8_t* const end_;
  const size_t expected_;
  std::vector<uint8_t>& out_;
  uint32_t bit_buffer_ = 0;
  int bit_count_ = 0;
  std::string problem_;

  bool fail(std::string* error) {
    *error = "its compressed data is invalid (" + (problem_.empty() ? std::string("truncated") : problem_) + ")";
    return false;
  }

  bool bits(int n, uint32_t* value) {
    while (bit_count_ < n) {
      if (p_ == end_) return false;
      bit_buffer_ |= static_cast<uint32_t>(*p_++) << bit_count_;
      bit_count_ += 8;
    }
    *value = bit_buffer_ & ((1u << n) - 1);
    bit_buffer_ >>= n;
    bit_count_ -= n;
    return true;
  }

  bool emit(uint8_t byte) {
    if (out_.size() >= expected_) {
      problem_ = "it inflates past the " + std::to_string(expected_) + " bytes its directory says";
      return false;
    }
    out_.push_back(byte);
    return true;
  }

  bool stored() {
    bit_buffer_ = 0;  // the rest of the current byte is padding
    bit_count_ = 0;
    if (end_ - p_ < 4) return false;
    const uint32_t length = p_[0] | p_[1] << 8, complement = p_[2] | p_[3] << 8;
    p_ += 4;
    if ((length ^ 0xFFFF) != complement) {
      problem_ = "a stored block's length check fails";
      return false;
    }
    if (static_cast<size_t>(end_ - p_) < length) return false;
    if (length > expected_ - out_.size()) {
      problem_ = "it inflates past the " + std::to_string(expected_) + " bytes its directory says";
      return false;
    }
    out_.insert(out_.end(), p_, p_ + length);
    p_ += length;
    return true;
  }

  // Builds the code from code lengths; false when it is over-subscribed
  // (incomplete codes are allowed, as zlib allows them for one-code trees).
  bool build(Huffman& h, const uint8_t* lengths, int n) {
    for (int i = 0; i <= kMaxBits; ++i) h.count[i] = 0;
    for (int i = 0; i < n; ++i) ++h.count[lengths[i]];
    int left = 1;
    for (int len = 1; len <= kMaxBits; ++len) {
      left = (left << 1) - h.count[len];
      if (left < 0) {
        problem_ = "an over-subscribed Huffman code";
        return false;
      }
    }
    uint16_t offsets[kMaxBits + 2] = {};
    for (int len = 1; len <= kMaxBits; ++len) offsets[len + 1] = offsets[len] + h.count[len];
    for (int i = 0; i < n; ++i)
      if (lengths[i] != 0) h.symbol[offsets[lengths[i]]++] = static_cast<uint16_t>(i);
    return true;
  }

  // One symbol: the code is read bit by bit (Huffman codes are stored MSB first).
  bool decode(const Huffman& h, int* symbol) {
    int code = 0, first = 0, index = 0;
    for (int len = 1; len <= kMaxBits; ++len) {
      uint32_t bit;
      if (!bits(1, &bit)) return false;
      code |= static_cast<int>(bit);
      const int count = h.count[len];
      if (code - first < count) {
        *symbol = h.symbol[index + code - first];
        return true;
      }
      index += count;
      first = (first + count) << 1;
      code <<= 1;
    }
    problem_ = "a code that is not in its table";
    return false;
  }

  bool codes(const Huffman& literals, const Huffman& distances) {
    static const uint16_t kLengthBase[29] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                                             35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
    static const uint8_t kLengthExtra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
                                             3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
    static const uint16_t kDistanceBase[30] = {1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129,
                                               193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
                                               6145, 8193, 12289, 16385, 24577};
    static const uint8_t kDistanceExtra[30] = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6,
                                               6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
    while (true) {
      int symbol;
      if (!decode(literals, &symbol)) return false;
      if (symbol < 256) {
        if (!emit(static_cast<uint8_t>(symbol))) return false;
        continue;
      }
      if (symbol == 256) return true;
      symbol -= 257;
      if (symbol >= 29) {
        problem_ = "a length code out of range";
        return false;
      }
      uint32_t extra;
      if (!bits(kLengthExtra[symbol], &extra)) return false;
      const size_t length = kLengthBase[symbol] + extra;
      int d;
      if (!decode(distances, &d)) return false;
      if (d >= 30) {
        problem_ = "a distance code out of range";
        return false;
      }
      if (!bits(kDistanceExtra[d], &extra)) return false;
      const size_t distance = kDistanceBase[d] + extra;
      if (distance > out_.size()) {
        problem_ = "a distance reaching before the start";
        return false;
      }
      for (size_t i = 0; i < length; ++i)
        if (!emit(out_[out_.size() - distance])) return false;
    }
  }

  bool fixed() {
    uint8_t lengths[288 + 30];
    for (int i = 0; i < 144; ++i) lengths[i] = 8;
    for (int i = 144; i < 256; ++i) lengths[i] = 9;
    for (int i = 256; i < 280; ++i) lengths[i] = 7;
    for (int i = 280; i < 288; ++i) lengths[i] = 8;
    for (int i = 0; i < 30; ++i) lengths[288 + i] = 5;
    Huffman literals, distances;
    return build(literals, lengths, 288) && build(distances, lengths + 288, 30) && codes(literals, distances);
  }

  bool dynamic() {
    uint32_t hlit, hdist, hclen;
    if (!bits(5, &hlit) || !bits(5, &hdist) || !bits(4, &hclen)) return false;
    const int nlit = static_cast<int>(hlit) + 257, ndist = static_cast<int>(hdist) + 1, ncode = static_cast<int>(hclen) + 4;
    if (nlit > 286 || ndist > 30) {
      problem_ = "too many codes in a dynamic block";
      return false;
    }
    static const uint8_t kOrder[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
    uint8_t code_lengths[19] = {};
    for (int i = 0; i < ncode; ++i) {
      uint32_t v;
      if (!bits(3, &v)) return false;
      code_lengths[kOrder[i]] = static_cast<uint8_t>(v);
    }
    Huffman lengths_code;
    if (!build(lengths_code, code_lengths, 19)) return false;
    uint8_t lengths[286 + 30] = {};
    int i = 0;
    while (i < nlit + ndist) {
      int symbol;
      if (!decode(lengths_code, &symbol)) return false;
      if (symbol < 16) {
        lengths[i++] = static_cast<uint8_t>(symbol);
        continue;
      }
      uint8_t value = 0;
      uint32_t repeat;
      if (symbol == 16) {
        if (i == 0) {
          problem_ = "a repeat with nothing before it";
          return false;
        }
        value = lengths[i - 1];
        if (!bits(2, &repeat)) return false;
        repeat += 3;
      } else if (symbol == 17) {
        if (!bits(3, &repeat)) return false;
        repeat += 3;
      } else {
        if (!bits(7, &repeat)) return false;
        repeat += 11;
      }
      if (i + static_cast<int>(repeat) > nlit + ndist) {
        problem_ = "code lengths that run past their table";
        return false;
      }
      while (repeat-- > 0) lengths[i++] = value;
    }
    if (lengths[256] == 0) {
      problem_ = "no end-of-block code";
      return false;
    }
    Huffman literals, distances;
    return build(literals, lengths, nlit) && build(distances, lengths + nlit, ndist) && codes(literals, distances);
  }
};

}  // namespace

bool inflate_raw(const uint8_t* data, size_t size, size_t expected, std::vector<uint8_t>* out, std::string* error) {
  std::vector<uint8_t> result;
  if (!Inflater(data, size, expected, result).run(error)) return false;
  *out = std::move(result);
  return true;
}

}  // namespace lp

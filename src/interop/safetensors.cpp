#include "interop/safetensors.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <set>

#include "formats/half.h"
#include "interop/printable.h"

namespace lp {
namespace {

bool fail(std::string* error, std::string message) {
  *error = std::move(message);
  return false;
}

// --- a small JSON reader: just what a safetensors header holds ---------------

struct Json {
  enum class Kind { string, integer, object, array, other } kind = Kind::other;
  std::string text;
  int64_t integer = 0;
  std::vector<std::pair<std::string, Json>> members;  // object
  std::vector<Json> elements;                         // array
  const Json* get(const char* key) const {
    for (const auto& [k, v] : members)
      if (k == key) return &v;
    return nullptr;
  }
};

class JsonParser {
 public:
  JsonParser(const char* p, const char* end) : p_(p), end_(end) {}

  bool document(Json* out) {
    if (!value(out, 0)) return false;
    skip_space();
    return p_ == end_ || fail_at("trailing bytes");
  }
  const std::string& error() const { return error_; }

 private:
  const char* p_;
  const char* end_;
  std::string error_;
  size_t nodes_ = 0;
  static constexpr int kMaxDepth = 16;
  static constexpr size_t kMaxNodes = 1 << 20;  // a model's header has a few hundred

  bool fail_at(const char* what) {
    error_ = std::string("its header is not valid JSON (") + what + ")";
    return false;
  }
  void skip_space() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  bool literal(const char* word) {
    const size_t n = std::strlen(word);
    if (static_cast<size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0) return fail_at("unexpected character");
    p_ += n;
    return true;
  }
  static void append_utf8(std::string& s, uint32_t c) {
    if (c < 0x80) {
      s += static_cast<char>(c);
    } else if (c < 0x800) {
      s += static_cast<char>(0xC0 | c >> 6);
      s += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      s += static_cast<char>(0xE0 | c >> 12);
      s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  bool string(std::string* out) {
    ++p_;  // the opening quote
    out->clear();
    while (p_ < end_ && *p_ != '"') {
      const char c = *p_++;
      if (static_cast<unsigned char>(c) < 0x20) return fail_at("control character in a string");
      if (c != '\\') {
        *out += c;
        continue;
      }
      if (p_ == end_) break;
      const char e = *p_++;
      switch (e) {
        case '"': case '\\': case '/': *out += e; break;
        case 'b': *out += '\b'; break;
        case 'f': *out += '\f'; break;
        case 'n': *out += '\n'; break;
        case 'r': *out += '\r'; break;
        case 't': *out += '\t'; break;
        case 'u': {
          if (end_ - p_ < 4) return fail_at("short \\u escape");
          uint32_t code = 0;
          for (int i = 0; i < 4; ++i) {
            const char h = *p_++;
            code <<= 4;
            if (h >= '0' && h <= '9') code |= h - '0';
            else if (h >= 'a' && h <= 'f') code |= h - 'a' + 10;
            else if (h >= 'A' && h <= 'F') code |= h - 'A' + 10;
            else return fail_at("bad \\u escape");
          }
          append_utf8(*out, code);  // surrogate pairs stay as two code points: names are ASCII
          break;
        }
        default: return fail_at("bad escape");
      }
    }
    if (p_ == end_) return fail_at("unterminated string");
    ++p_;
    return true;
  }
  bool number(Json* out) {
    const bool negative = *p_ == '-';
    if (negative) ++p_;
    if (p_ == end_ || *p_ < '0' || *p_ > '9') return fail_at("bad number");
    uint64_t v = 0;
    while (p_ < end_ && *p_ >= '0' && *p_ <= '9') {
      if (v > (uint64_t{1} << 53)) return fail_at("number too large");
      v = v * 10 + (*p_++ - '0');
    }
    if (p_ < end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E')) {
      // Fractions only appear in metadata values we do not read: skip them.
      while (p_ < end_ && (std::strchr("0123456789.eE+-", *p_) != nullptr)) ++p_;
      out->kind = Json::Kind::other;
      return true;
    }
    out->kind = Json::Kind::integer;
    out->integer = negative ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
    return true;
  }
  bool value(Json* out, int depth) {
    if (depth > kMaxDepth) return fail_at("nested too deeply");
    if (++nodes_ > kMaxNodes) return fail_at("too many values");
    skip_space();
    if (p_ == end_) return fail_at("unexpected end");
    switch (*p_) {
      case '"': out->kind = Json::Kind::string; return string(&out->text);
      case '{': {
        out->kind = Json::Kind::object;
        ++p_;
        skip_space();
        if (p_ < end_ && *p_ == '}') return ++p_, true;
        while (true) {
          skip_space();
          if (p_ == end_ || *p_ != '"') return fail_at("expected a key");
          std::string key;
          if (!string(&key)) return false;
          skip_space();
          if (p_ == end_ || *p_++ != ':') return fail_at("expected ':'");
          Json member;
          if (!value(&member, depth + 1)) return false;
          out->members.emplace_back(std::move(key), std::move(member));
          skip_space();
          if (p_ < end_ && *p_ == ',') { ++p_; continue; }
          if (p_ < end_ && *p_ == '}') return ++p_, true;
          return fail_at("expected ',' or '}'");
        }
      }
      case '[': {
        out->kind = Json::Kind::array;
        ++p_;
        skip_space();
        if (p_ < end_ && *p_ == ']') return ++p_, true;
        while (true) {
          Json element;
          if (!value(&element, depth + 1)) return false;
          out->elements.push_back(std::move(element));
          skip_space();
          if (p_ < end_ && *p_ == ',') { ++p_; continue; }
          if (p_ < end_ && *p_ == ']') return ++p_, true;
          return fail_at("expected ',' or ']'");
        }
      }
      case 't': return literal("true");
      case 'f': return literal("false");
      case 'n': return literal("null");
      default: return number(out);
    }
  }
};

struct DtypeInfo {
  const char* name;
  size_t size;
};
constexpr DtypeInfo kDtypes[] = {{"F32", 4}, {"F16", 2}, {"BF16", 2}, {"F64", 8}};

float element_at(const uint8_t* p, const std::string& dtype) {
  uint64_t bits = 0;
  const size_t size = dtype == "F64" ? 8 : dtype == "F32" ? 4 : 2;
  for (size_t i = size; i-- > 0;) bits = bits << 8 | p[i];
  float v;
  if (dtype == "F32") {
    const uint32_t b = static_cast<uint32_t>(bits);
    std::memcpy(&v, &b, 4);
  } else if (dtype == "F64") {
    double d;
    std::memcpy(&d, &bits, 8);
    // Out of float range is infinite (and refused), not undefined behaviour.
    v = std::abs(d) > std::numeric_limits<float>::max() ? std::numeric_limits<float>::infinity() : static_cast<float>(d);
  } else if (dtype == "F16") {
    v = half_to_float(static_cast<uint16_t>(bits));
  } else {
    const uint32_t b = static_cast<uint32_t>(bits) << 16;
    std::memcpy(&v, &b, 4);
  }
  return v;
}

// Tensors may share bytes, so the file's size does not bound their values: this does.
constexpr uint64_t kMaxValues = uint64_t{1} << 28;

bool read_tensor(const std::string& name, const Json& spec, const uint8_t* data, uint64_t data_size,
                 uint64_t* values_read, NamedTensor* out, std::string* error) {
  const Json* dtype = spec.get("dtype");
  const Json* shape = spec.get("shape");
  const Json* offsets = spec.get("data_offsets");
  if (spec.kind != Json::Kind::object || !dtype || dtype->kind != Json::Kind::string || !shape ||
      shape->kind != Json::Kind::array || !offsets || offsets->kind != Json::Kind::array ||
      offsets->elements.size() != 2)
    return fail(error, "its header entry for " + name + " lacks a dtype, shape or data_offsets");
  size_t element = 0;
  for (const DtypeInfo& d : kDtypes)
    if (dtype->text == d.name) element = d.size;
  if (element == 0)
    return fail(error, "tensor " + name + " has dtype " + printable(dtype->text) + "; only float tensors are read");
  uint64_t count = 1;
  NamedTensor result;
  result.name = name;
  if (shape->elements.size() > 8) return fail(error, "tensor " + name + " has too many dimensions");
  for (const Json& dim : shape->elements) {
    if (dim.kind != Json::Kind::integer || dim.integer < 0 || dim.integer > (int64_t{1} << 31))
      return fail(error, "tensor " + name + " has an impossible shape");
    count *= static_cast<uint64_t>(dim.integer);
    if (count > (uint64_t{1} << 28)) return fail(error, "tensor " + name + " is impossibly large");
    result.shape.push_back(dim.integer);
  }
  const Json &begin = offsets->elements[0], &end = offsets->elements[1];
  if (begin.kind != Json::Kind::integer || end.kind != Json::Kind::integer || begin.integer < 0 ||
      end.integer < begin.integer || static_cast<uint64_t>(end.integer) > data_size)
    return fail(error, "tensor " + name + " has a byte range outside the file");
  if (static_cast<uint64_t>(end.integer - begin.integer) != count * element)
    return fail(error, "tensor " + name + " has " + std::to_string(end.integer - begin.integer) +
                           " bytes for a shape of " + std::to_string(count) + " values");
  if (count > kMaxValues - *values_read)
    return fail(error, "its tensors hold more than " + std::to_string(kMaxValues) + " values in all");
  *values_read += count;
  result.values.resize(count);
  const uint8_t* p = data + begin.integer;
  for (uint64_t i = 0; i < count; ++i) {
    const float v = element_at(p + i * element, dtype->text);
    if (!std::isfinite(v))
      return fail(error, "tensor " + name + " holds " + (std::isnan(v) ? "NaN" : "an infinite value"));
    result.values[i] = v;
  }
  *out = std::move(result);
  return true;
}

void put_json_string(std::string& out, const std::string& s) {
  out += '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      static const char hex[] = "0123456789abcdef";
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

uint64_t u64_at(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 8; i-- > 0;) v = v << 8 | p[i];
  return v;
}

}  // namespace

bool safetensors_signature(const uint8_t* data, size_t size) {
  if (size < 10) return false;
  const uint64_t header = u64_at(data);
  return header >= 2 && header <= size - 8 && data[8] == '{';
}

bool safetensors_read(const uint8_t* data, size_t size, Safetensors* out, std::string* error) {
  if (size < 8) return fail(error, "it is too short to be a safetensors file");
  const uint64_t header_size = u64_at(data);
  if (header_size > kSafetensorsMaxHeader || header_size > size - 8)
    return fail(error, "its safetensors header claims " + std::to_string(header_size) + " bytes");
  const char* header = reinterpret_cast<const char*>(data + 8);
  Json root;
  JsonParser parser(header, header + header_size);
  if (!parser.document(&root)) return fail(error, parser.error());
  if (root.kind != Json::Kind::object) return fail(error, "its header is not a JSON object");

  Safetensors result;
  std::set<std::string> names;
  uint64_t values_read = 0;
  const uint8_t* body = data + 8 + header_size;
  const uint64_t body_size = size - 8 - header_size;
  for (const auto& [name, spec] : root.members) {
    if (!names.insert(name).second) return fail(error, "its header names " + printable(name) + " twice");
    if (name == "__metadata__") {
      if (spec.kind != Json::Kind::object) return fail(error, "its __metadata__ is not an object");
      for (const auto& [key, value] : spec.members) {
        if (value.kind != Json::Kind::string)
          return fail(error, "its __metadata__ entry " + printable(key) + " is not a string");
        result.metadata[key] = value.text;
      }
      continue;
    }
    if (name.size() > 256 || printable(name, 256) != name)
      return fail(error, "its header names a tensor " + printable(name) + ", not a plain name");
    NamedTensor tensor;
    if (!read_tensor(name, spec, body, body_size, &values_read, &tensor, error)) return false;
    result.tensors.push_back(std::move(tensor));
  }
  *out = std::move(result);
  return true;
}

std::vector<uint8_t> safetensors_encode(const Safetensors& file) {
  std::string header = "{";
  if (!file.metadata.empty()) {
    header += "\"__metadata__\":{";
    bool first = true;
    for (const auto& [key, value] : file.metadata) {
      if (!first) header += ',';
      first = false;
      put_json_string(header, key);
      header += ':';
      put_json_string(header, value);
    }
    header += '}';
  }
  uint64_t offset = 0;
  for (const NamedTensor& tensor : file.tensors) {
    if (header.size() > 1) header += ',';
    put_json_string(header, tensor.name);
    header += ":{\"dtype\":\"F32\",\"shape\":[";
    for (size_t d = 0; d < tensor.shape.size(); ++d) header += (d ? "," : "") + std::to_string(tensor.shape[d]);
    const uint64_t bytes = tensor.values.size() * 4;
    header += "],\"data_offsets\":[" + std::to_string(offset) + "," + std::to_string(offset + bytes) + "]}";
    offset += bytes;
  }
  header += '}';
  // The data starts 8-byte aligned; the format pads the header with spaces.
  while ((header.size() + 8) % 8 != 0) header += ' ';

  std::vector<uint8_t> out;
  out.reserve(8 + header.size() + offset);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(static_cast<uint64_t>(header.size()) >> (8 * i)));
  out.insert(out.end(), header.begin(), header.end());
  for (const NamedTensor& tensor : file.tensors)
    for (float v : tensor.values) {
      uint32_t bits;
      std::memcpy(&bits, &v, 4);
      for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(bits >> (8 * i)));
    }
  return out;
}

}  // namespace lp

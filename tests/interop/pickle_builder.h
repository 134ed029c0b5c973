// Writes pickle opcodes by hand, for tests that need exact (and hostile) streams.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace lp::test {

struct PickleBuilder {
  std::string bytes = "\x80\x02";  // PROTO 2, as torch.save writes

  PickleBuilder& op(char code) { bytes += code; return *this; }
  PickleBuilder& op(uint8_t code) { bytes += static_cast<char>(code); return *this; }
  PickleBuilder& text(const std::string& s) {  // BINUNICODE
    bytes += 'X';
    u32(static_cast<uint32_t>(s.size()));
    bytes += s;
    return *this;
  }
  PickleBuilder& global(const std::string& module, const std::string& name) {
    bytes += 'c' + module + '\n' + name + '\n';
    return *this;
  }
  PickleBuilder& integer(int32_t v) {  // BININT
    bytes += 'J';
    u32(static_cast<uint32_t>(v));
    return *this;
  }
  PickleBuilder& mark() { return op('('); }
  PickleBuilder& tuple() { return op('t'); }
  PickleBuilder& stop() { return op('.'); }
  // ('storage', torch.FloatStorage, key, location, numel), then BINPERSID; the
  // legacy format adds a sixth element, view_metadata None.
  PickleBuilder& storage(const std::string& key, int numel, const std::string& location = "cpu",
                         const std::string& type = "FloatStorage", bool legacy = false) {
    mark().text("storage").global("torch", type).text(key).text(location).integer(numel);
    if (legacy) op('N');
    tuple();
    return op('Q');
  }
  // _rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())
  PickleBuilder& tensor(const std::string& key, int numel, std::vector<int> size, std::vector<int> stride,
                        int offset = 0, bool legacy = false) {
    global("torch._utils", "_rebuild_tensor_v2").mark();
    storage(key, numel, "cpu", "FloatStorage", legacy).integer(offset);
    mark();
    for (int s : size) integer(s);
    tuple().mark();
    for (int s : stride) integer(s);
    tuple().op('\x89');  // NEWFALSE
    global("collections", "OrderedDict").op(')').op('R').tuple();
    return op('R');
  }
  std::vector<uint8_t> data() const { return {bytes.begin(), bytes.end()}; }

 private:
  void u32(uint32_t v) {
    for (int i = 0; i < 4; ++i) bytes += static_cast<char>((v >> (8 * i)) & 0xFF);
  }
};

}  // namespace lp::test

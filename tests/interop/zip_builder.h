// Writes small zip archives of stored entries for the tests and the fuzz
// target: the layout torch.save produces (minus its alignment padding), with
// hooks to break one field at a time.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "formats/checksum.h"

namespace lp::test {

class ZipBuilder {
 public:
  struct Entry {
    std::string name;
    std::vector<uint8_t> data;
    uint16_t method = 0;             // what the headers claim
    int64_t claimed_size = -1;       // uncompressed size to claim, -1: data's
    bool bad_crc = false;
    std::vector<uint8_t> written;    // the bytes written instead of data (compressed), if not empty
  };

  ZipBuilder& add(std::string name, std::vector<uint8_t> data) {
    Entry entry;
    entry.name = std::move(name);
    entry.data = std::move(data);
    entries.push_back(std::move(entry));
    return *this;
  }
  ZipBuilder& add(std::string name, const std::string& text) { return add(std::move(name), std::vector<uint8_t>(text.begin(), text.end())); }

  std::vector<Entry> entries;

  std::vector<uint8_t> bytes() const {
    std::vector<uint8_t> out, directory;
    for (const Entry& e : entries) {
      const uint32_t offset = static_cast<uint32_t>(out.size());
      const uint32_t crc = crc32(e.data.data(), e.data.size()) ^ (e.bad_crc ? 1u : 0u);
      const std::vector<uint8_t>& body = e.written.empty() ? e.data : e.written;
      const uint32_t csize = static_cast<uint32_t>(body.size());
      const uint32_t usize = static_cast<uint32_t>(e.claimed_size < 0 ? e.data.size() : e.claimed_size);
      // Local header: signature, version, flags, method, time, date, crc, sizes, name and extra lengths.
      u32(out, 0x04034b50); u16(out, 20); u16(out, 0); u16(out, e.method); u16(out, 0); u16(out, 0);
      u32(out, crc); u32(out, csize); u32(out, usize);
      u16(out, static_cast<uint16_t>(e.name.size())); u16(out, 0);
      out.insert(out.end(), e.name.begin(), e.name.end());
      out.insert(out.end(), body.begin(), body.end());
      // Central directory record for it.
      u32(directory, 0x02014b50); u16(directory, 20); u16(directory, 20); u16(directory, 0); u16(directory, e.method);
      u16(directory, 0); u16(directory, 0); u32(directory, crc); u32(directory, csize); u32(directory, usize);
      u16(directory, static_cast<uint16_t>(e.name.size())); u16(directory, 0); u16(directory, 0);
      u16(directory, 0); u16(directory, 0); u32(directory, 0); u32(directory, offset);
      directory.insert(directory.end(), e.name.begin(), e.name.end());
    }
    const uint32_t directory_offset = static_cast<uint32_t>(out.size());
    out.insert(out.end(), directory.begin(), directory.end());
    u32(out, 0x06054b50); u16(out, 0); u16(out, 0);
    u16(out, static_cast<uint16_t>(entries.size())); u16(out, static_cast<uint16_t>(entries.size()));
    u32(out, static_cast<uint32_t>(directory.size())); u32(out, directory_offset); u16(out, 0);
    return out;
  }

 private:
  static void u16(std::vector<uint8_t>& b, uint16_t v) {
    b.push_back(v & 0xFF);
    b.push_back(v >> 8);
  }
  static void u32(std::vector<uint8_t>& b, uint32_t v) {
    u16(b, v & 0xFFFF);
    u16(b, v >> 16);
  }
};

}  // namespace lp::test

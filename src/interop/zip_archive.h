// A read-only view of a zip archive in memory, as torch.save writes them
// (every entry stored uncompressed) or as a zip tool may rewrite them
// (deflated). Opening validates the whole directory up front (bounds, names,
// sizes, compression ratio, CRC-32), so a caller only ever sees entries whose
// bytes are complete and whose names stay inside the archive.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace lp {

struct ZipEntry {
  std::string name;
  const uint8_t* data = nullptr;  // into the buffer given to zip_open, or into ZipArchive::inflated
  size_t size = 0;
};

struct ZipArchive {
  std::vector<ZipEntry> entries;  // in central-directory order
  std::map<std::string, size_t, std::less<>> by_name;  // name -> index in entries
  std::vector<std::vector<uint8_t>> inflated;           // the bytes of deflated entries
  const ZipEntry* find(std::string_view name) const;
};

// Limits that keep a hostile directory from costing memory or time.
constexpr size_t kZipMaxEntries = 1 << 16;
constexpr uint64_t kZipMaxEntrySize = uint64_t{1} << 30;  // 1 GiB: 256 M float32 parameters
constexpr uint64_t kZipMaxInflated = uint64_t{1} << 30;   // all deflated entries together
constexpr uint64_t kZipMaxCompressionRatio = 100;         // model weights compress to about 0.9

// True when the bytes start like a zip archive (a local file header).
bool zip_signature(const uint8_t* data, size_t size);
// Fails, naming the entry and what is wrong with it, on anything but a
// well-formed archive of stored or deflated entries (deflated ones are
// inflated by zlib into ZipArchive::inflated). The buffer must outlive *out.
bool zip_open(const uint8_t* data, size_t size, ZipArchive* out, std::string* error);

}  // namespace lp

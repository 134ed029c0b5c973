#include "interop/zip_archive.h"

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <utility>

#include "formats/checksum.h"
#include "interop/printable.h"

namespace lp {
namespace {

constexpr uint32_t kLocalHeader = 0x04034b50;
constexpr uint32_t kCentralHeader = 0x02014b50;
constexpr uint32_t kEndOfDirectory = 0x06054b50;
constexpr uint32_t kZip64End = 0x06064b50;
constexpr uint32_t kZip64Locator = 0x07064b50;
constexpr size_t kEndSize = 22, kCentralSize = 46, kLocalSize = 30;
constexpr size_t kZip64EndSize = 56, kZip64LocatorSize = 20;

uint16_t u16_at(const uint8_t* p) { return static_cast<uint16_t>(p[0] | p[1] << 8); }
uint32_t u32_at(const uint8_t* p) { return u16_at(p) | static_cast<uint32_t>(u16_at(p + 2)) << 16; }
uint64_t u64_at(const uint8_t* p) { return u32_at(p) | static_cast<uint64_t>(u32_at(p + 4)) << 32; }

bool fail(std::string* error, std::string message) {
  *error = std::move(message);
  return false;
}

// Names must stay inside the archive: relative, '/'-separated, no "..".
std::string name_problem(const std::string& name) {
  if (name.empty()) return "an entry has an empty name";
  if (name.size() > 1024) return "an entry name is longer than 1024 bytes";
  if (name.find('\0') != std::string::npos) return "an entry name holds a NUL byte";
  if (name[0] == '/' || name.find('\\') != std::string::npos || (name.size() > 1 && name[1] == ':'))
    return "entry " + name + " has a path outside the archive";
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('/', start);
    if (end == std::string::npos) end = name.size();
    if (name.compare(start, end - start, "..") == 0) return "entry " + name + " has a path outside the archive";
    start = end + 1;
  }
  return "";
}

// Where the central directory lives and how many entries it has, from the
// end-of-directory record (and its zip64 twin when the counts overflowed).
struct Directory {
  uint64_t offset = 0, size = 0, count = 0;
};

bool find_directory(const uint8_t* data, size_t size, Directory* dir, std::string* error) {
  if (size < kEndSize) return fail(error, "it is too short to be a zip archive");
  // The record sits at the very end, followed only by a comment of at most 64 KiB.
  const size_t lowest = size > kEndSize + 0xFFFF ? size - kEndSize - 0xFFFF : 0;
  for (size_t at = size - kEndSize + 1; at-- > lowest;) {
    const uint8_t* p = data + at;
    if (u32_at(p) != kEndOfDirectory || at + kEndSize + u16_at(p + 20) != size) continue;
    if (u16_at(p + 4) != 0 || u16_at(p + 6) != 0) return fail(error, "it is a multi-part zip archive");
    dir->count = u16_at(p + 10);
    dir->size = u32_at(p + 12);
    dir->offset = u32_at(p + 16);
    if (dir->count != 0xFFFF && dir->size != 0xFFFFFFFF && dir->offset != 0xFFFFFFFF) return true;
    // zip64: a locator just before this record points at the 64-bit record.
    if (at < kZip64LocatorSize || u32_at(p - kZip64LocatorSize) != kZip64Locator)
      return fail(error, "its zip64 end record is missing");
    const uint64_t end64 = u64_at(p - kZip64LocatorSize + 8);
    if (end64 > size || size - end64 < kZip64EndSize || u32_at(data + end64) != kZip64End)
      return fail(error, "its zip64 end record is out of range");
    dir->count = u64_at(data + end64 + 32);
    dir->size = u64_at(data + end64 + 40);
    dir->offset = u64_at(data + end64 + 48);
    return true;
  }
  return fail(error, "it is not a zip archive (no end-of-directory record)");
}

// The zip64 extra field replaces whichever 32-bit fields were saturated, in this order.
bool apply_zip64_extra(const uint8_t* extra, size_t length, uint64_t* usize, uint64_t* csize, uint64_t* offset) {
  size_t at = 0;
  while (at + 4 <= length) {
    const uint16_t id = u16_at(extra + at), field = u16_at(extra + at + 2);
    if (at + 4 + field > length) return false;
    if (id == 0x0001) {
      const uint8_t* p = extra + at + 4;
      size_t left = field;
      for (uint64_t* value : {usize, csize, offset}) {
        if (*value != 0xFFFFFFFF) continue;
        if (left < 8) return false;
        *value = u64_at(p);
        p += 8;
        left -= 8;
      }
      return true;
    }
    at += 4 + field;
  }
  return *usize != 0xFFFFFFFF && *csize != 0xFFFFFFFF && *offset != 0xFFFFFFFF;
}

// zlib's messages for a corrupt raw DEFLATE stream, in plain words. Any other
// message (a newer zlib's) is passed on as zlib wrote it.
std::string corruption(const std::string& zlib_message) {
  static const std::pair<const char*, const char*> kWords[] = {
      {"invalid block type", "a block of reserved type 3"},
      {"invalid stored block lengths", "a stored block's length check fails"},
      {"too many length or distance symbols", "too many codes in a dynamic block"},
      {"invalid code lengths set", "a malformed code-length code"},
      {"invalid bit length repeat", "a code-length repeat with nothing before it or past its table"},
      {"invalid code -- missing end-of-block", "no end-of-block code"},
      {"invalid literal/lengths set", "a malformed literal/length code"},
      {"invalid distances set", "a malformed distance code"},
      {"invalid literal/length code", "a literal/length code not in its table"},
      {"invalid distance code", "a distance code not in its table"},
      {"invalid distance too far back", "a distance reaching before the start"},
  };
  for (const auto& [zlib, words] : kWords)
    if (zlib_message == zlib) return words;
  return zlib_message.empty() ? "zlib gave no reason" : zlib_message;
}

// Inflates a deflated entry (raw DEFLATE, zip method 8) with zlib into exactly
// `expected` bytes, the size its directory states: output past it is refused
// as soon as zlib produces it, and so is a stream that ends short of it. The
// buffer grows with the output actually produced (from a few times the
// compressed size), so a header that lies about the size costs no more memory
// than the stream really inflates to. On failure, *problem says why.
bool inflate_entry(const uint8_t* data, uint64_t size, size_t expected, std::vector<uint8_t>* out,
                   std::string* problem) {
  z_stream z{};
  if (inflateInit2(&z, -MAX_WBITS) != Z_OK) {
    *problem = "there is not enough memory to inflate it";
    return false;
  }
  // zlib counts in uInt: hand it at most 1 GiB at a time.
  constexpr uint64_t kStep = uint64_t{1} << 30;
  static_assert(kStep <= UINT_MAX, "uInt is at least 32 bits where this builds");
  std::vector<uint8_t> buffer(static_cast<size_t>(std::min<uint64_t>(expected, 4 * size + (64 << 10))));
  uint64_t consumed = 0;
  size_t produced = 0;
  uint8_t spare = 0;  // room for one byte past `expected`, to notice a stream that goes on
  bool past = false;
  int status = Z_OK;
  while (status == Z_OK && !past) {
    if (produced == buffer.size() && buffer.size() < expected)
      buffer.resize(buffer.size() < expected / 2 ? 2 * buffer.size() : expected);
    uint8_t* const next = produced < buffer.size() ? buffer.data() + produced : &spare;
    const size_t room = produced < buffer.size() ? std::min<size_t>(buffer.size() - produced, kStep) : 1;
    const uInt given = static_cast<uInt>(std::min(size - consumed, kStep));
    z.next_in = const_cast<Bytef*>(data + consumed);
    z.avail_in = given;
    z.next_out = next;
    z.avail_out = static_cast<uInt>(room);
    status = inflate(&z, Z_NO_FLUSH);
    consumed += given - z.avail_in;
    const size_t wrote = room - z.avail_out;
    if (next == &spare) past = wrote > 0;
    else produced += wrote;
  }
  const std::string zlib_message = z.msg ? z.msg : "";
  inflateEnd(&z);

  std::string reason;
  if (past) reason = "it inflates past the " + std::to_string(expected) + " bytes its directory says";
  else if (status == Z_STREAM_END && produced == expected) {
    *out = std::move(buffer);
    return true;
  } else if (status == Z_STREAM_END)
    reason = "it inflates to " + std::to_string(produced) + " bytes, not the " + std::to_string(expected) +
             " its directory says";
  else if (status == Z_BUF_ERROR) reason = "truncated";  // the input ran out before the final block ended
  else if (status == Z_DATA_ERROR) reason = corruption(zlib_message);
  else if (status == Z_MEM_ERROR) {
    *problem = "there is not enough memory to inflate it";
    return false;
  } else
    reason = "zlib error " + std::to_string(status);
  *problem = "its compressed data is invalid (" + reason + ")";
  return false;
}

}  // namespace

const ZipEntry* ZipArchive::find(std::string_view name) const {
  const auto found = by_name.find(name);
  return found == by_name.end() ? nullptr : &entries[found->second];
}

bool zip_signature(const uint8_t* data, size_t size) { return size >= 4 && u32_at(data) == kLocalHeader; }

bool zip_open(const uint8_t* data, size_t size, ZipArchive* out, std::string* error) {
  Directory dir;
  if (!find_directory(data, size, &dir, error)) return false;
  if (dir.offset > size || dir.size > size - dir.offset) return fail(error, "its central directory is out of range");
  if (dir.count > kZipMaxEntries) return fail(error, "it claims " + std::to_string(dir.count) + " entries");

  ZipArchive archive;
  uint64_t covered = 0;  // bytes of local headers and data, summed over the entries
  uint64_t inflated_total = 0;
  const uint8_t* p = data + dir.offset;
  const uint8_t* const end = p + dir.size;
  for (uint64_t i = 0; i < dir.count; ++i) {
    if (static_cast<size_t>(end - p) < kCentralSize || u32_at(p) != kCentralHeader)
      return fail(error, "its central directory is truncated");
    const uint16_t flags = u16_at(p + 8), method = u16_at(p + 10);
    const uint32_t crc = u32_at(p + 16);
    uint64_t csize = u32_at(p + 20), usize = u32_at(p + 24), offset = u32_at(p + 42);
    const size_t name_length = u16_at(p + 28), extra_length = u16_at(p + 30), comment_length = u16_at(p + 32);
    if (static_cast<size_t>(end - p) < kCentralSize + name_length + extra_length + comment_length)
      return fail(error, "its central directory is truncated");
    const std::string raw_name(reinterpret_cast<const char*>(p + kCentralSize), name_length);
    const std::string name = printable(raw_name, 200);  // for messages; raw_name is the real one
    if (!apply_zip64_extra(p + kCentralSize + name_length, extra_length, &usize, &csize, &offset))
      return fail(error, "entry " + name + " has a malformed zip64 field");
    p += kCentralSize + name_length + extra_length + comment_length;

    if (std::string problem = name_problem(raw_name); !problem.empty()) return fail(error, printable(problem, 300));
    if (archive.by_name.count(raw_name)) return fail(error, "entry " + name + " appears twice");
    if (flags & 1) return fail(error, "entry " + name + " is encrypted");
    if (usize > kZipMaxEntrySize)
      return fail(error, "entry " + name + " claims " + std::to_string(usize) + " bytes, over the limit of " +
                             std::to_string(kZipMaxEntrySize));
    if (method != 0 && method != 8)
      return fail(error, "entry " + name + " is compressed with method " + std::to_string(method) +
                             ", which this reader does not support (only stored and deflated entries)");
    if (method == 8 && (csize == 0 || usize / csize > kZipMaxCompressionRatio))
      return fail(error, "entry " + name + " is compressed beyond a sane ratio (" + std::to_string(usize) +
                             " bytes from " + std::to_string(csize) + ")");
    if (method == 8 && usize > kZipMaxInflated - inflated_total)
      return fail(error, "its deflated entries inflate to more than " + std::to_string(kZipMaxInflated) + " bytes");
    if (method == 0 && csize != usize) return fail(error, "entry " + name + " is stored but its two sizes differ");

    // The local header repeats the name; the data follows it and its extra field.
    if (offset > size || size - offset < kLocalSize || u32_at(data + offset) != kLocalHeader)
      return fail(error, "entry " + name + " has no local header where the directory says");
    const uint8_t* local = data + offset;
    const uint64_t data_start = offset + kLocalSize + u16_at(local + 26) + u16_at(local + 28);
    if (data_start > size || csize > size - data_start)
      return fail(error, "entry " + name + " runs past the end of the file");
    if (u16_at(local + 26) != name_length ||
        std::string_view(reinterpret_cast<const char*>(local + kLocalSize), name_length) != raw_name)
      return fail(error, "entry " + name + " has a different name in its local header");
    // Entries must not share bytes: that bounds the CRC work by the file size.
    covered += (data_start - offset) + csize;
    if (covered > size) return fail(error, "its entries overlap");
    const uint8_t* bytes = data + data_start;
    if (method == 8) {
      std::vector<uint8_t> inflated;
      std::string problem;
      if (!inflate_entry(bytes, csize, static_cast<size_t>(usize), &inflated, &problem))
        return fail(error, "entry " + name + ": " + problem);
      inflated_total += usize;
      archive.inflated.push_back(std::move(inflated));
      bytes = archive.inflated.back().data();
    }
    if (crc32(bytes, usize) != crc) return fail(error, "entry " + name + " fails its CRC-32 check");
    archive.by_name.emplace(raw_name, archive.entries.size());
    archive.entries.push_back({raw_name, bytes, static_cast<size_t>(usize)});
  }
  *out = std::move(archive);
  return true;
}

}  // namespace lp

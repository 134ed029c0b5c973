// Disk I/O for the native tools: whole-file reads with a size cap, atomic writes,
// transparent gunzip, and loaders for the IDX data sets and model files.
// Everything here stays out of the model library proper, which also runs in wasm.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "formats/idx.h"
#include "formats/model_file.h"

namespace lp {

// Reads a whole file. Refuses files above max_size before allocating.
bool read_file(const std::string& path, std::vector<uint8_t>* out, std::string* error,
               uint64_t max_size = uint64_t{1} << 30);

// Writes to a temporary file in the same directory, flushes it to disk, then
// renames it over `path`: a crash leaves either the old file or the new one,
// never half of one.
bool write_file_atomic(const std::string& path, const void* data, size_t size, std::string* error);
inline bool write_file_atomic(const std::string& path, const std::vector<uint8_t>& bytes, std::string* error) {
  return write_file_atomic(path, bytes.data(), bytes.size(), error);
}

// Inflates gzip data, refusing output above max_size (a "zip bomb" guard).
bool gunzip(const std::vector<uint8_t>& in, std::vector<uint8_t>* out, std::string* error,
            uint64_t max_size = uint64_t{1} << 30);

// Compresses to the gzip format (what gunzip, gzip(1) and browsers read).
bool gzip_compress(const std::vector<uint8_t>& in, std::vector<uint8_t>* out, std::string* error);

// mkdir -p.
bool make_directories(const std::string& path, std::string* error);

// Reads an IDX file, plain or gzip (detected by content, not by name).
bool idx_load(const std::string& path, IdxArray* out, std::string* error);

enum class Split { train, test };
// Loads "<dir>/{train,t10k}-{images-idx3,labels-idx1}-ubyte", each plain or with ".gz".
bool dataset_load(const std::string& dir, Split split, Dataset* out, std::string* error);

bool model_file_load(const std::string& path, ModelFile* out, std::string* error);
bool model_file_save(const std::string& path, const ModelFile& file, std::string* error);

}  // namespace lp

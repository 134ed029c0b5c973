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

// The two IDX files of one split of a data set, as dataset_find found them.
struct DatasetFiles {
  std::string dir;             // the folder that holds them
  std::string images, labels;  // their paths
  // On failure: the data set folder ("FashionMNIST") that `dir` is or holds
  // instead of the one asked for, so that a caller can name the right option.
  std::string other;
};

// Finds the images and labels of `split` ("train"/"t10k") under `dir`, which may be
//   - a folder holding the files themselves (data/mnist),
//   - a torchvision root, as datasets.MNIST('./dataset') leaves it: <dir>/<folder>/raw/,
//   - that <folder> (./dataset/MNIST), or <dir>/raw;
// `folder` is the data set's torchvision folder name: "MNIST" or "FashionMNIST".
// Each file may be named "train-images-idx3-ubyte" or, as Windows tools and
// 7-Zip unpack it, "train-images.idx3-ubyte"; each plain or with ".gz".
// On failure, one line: the names and folders it looked in; or that `dir` is
// or holds the other data set's folder only (and out->other names it).
bool dataset_find(const std::string& dir, const std::string& folder, Split split, DatasetFiles* out,
                  std::string* error);
// Loads the two files dataset_find found.
bool dataset_load(const DatasetFiles& files, Dataset* out, std::string* error);
// dataset_find, then load.
bool dataset_load(const std::string& dir, Split split, Dataset* out, std::string* error,
                  const std::string& folder = "MNIST");

bool model_file_load(const std::string& path, ModelFile* out, std::string* error);
bool model_file_save(const std::string& path, const ModelFile& file, std::string* error);

}  // namespace lp

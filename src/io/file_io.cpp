#include "io/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>

namespace lp {
namespace {

bool fail(std::string* error, std::string message) {
  *error = std::move(message);
  return false;
}

std::string errno_text() { return std::strerror(errno); }

bool file_exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

bool read_file(const std::string& path, std::vector<uint8_t>* out, std::string* error, uint64_t max_size) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(error, path + ": " + errno_text());
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail(error, path + ": not a regular file");
  }
  if (static_cast<uint64_t>(st.st_size) > max_size) {
    ::close(fd);
    return fail(error, path + ": file is " + std::to_string(st.st_size) + " bytes, more than the " +
                           std::to_string(max_size) + " allowed");
  }
  out->resize(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < out->size()) {
    const ssize_t n = ::read(fd, out->data() + done, out->size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return fail(error, path + ": read failed: " + (n == 0 ? std::string("file shrank") : errno_text()));
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  return true;
}

bool write_file_atomic(const std::string& path, const void* data, size_t size, std::string* error) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return fail(error, path + ": " + errno_text());
  const auto* p = static_cast<const uint8_t*>(data);
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::write(fd, p + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const std::string why = errno_text();
      ::close(fd);
      ::unlink(tmp.c_str());
      return fail(error, path + ": write failed: " + why);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const std::string why = errno_text();
    ::unlink(tmp.c_str());
    return fail(error, path + ": " + why);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = errno_text();
    ::unlink(tmp.c_str());
    return fail(error, path + ": rename failed: " + why);
  }
  // Make the rename itself durable.
  const size_t slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return true;
}

bool gunzip(const std::vector<uint8_t>& in, std::vector<uint8_t>* out, std::string* error, uint64_t max_size) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return fail(error, "zlib initialisation failed");
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  out->clear();
  std::vector<uint8_t> chunk(1 << 20);
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = chunk.data();
    zs.avail_out = static_cast<uInt>(chunk.size());
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      const bool truncated = rc == Z_BUF_ERROR && zs.avail_in == 0;
      return fail(error, truncated ? "gzip data is truncated" : "gzip data is corrupt");
    }
    const size_t produced = chunk.size() - zs.avail_out;
    if (out->size() + produced > max_size) {
      inflateEnd(&zs);
      return fail(error, "gzip data inflates to more than " + std::to_string(max_size) + " bytes");
    }
    out->insert(out->end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(produced));
  }
  inflateEnd(&zs);
  return true;
}

bool make_directories(const std::string& path, std::string* error) {
  for (size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
    const std::string prefix = path.substr(0, slash);
    if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) return fail(error, prefix + ": " + errno_text());
    if (slash == std::string::npos) return true;
  }
}

bool gzip_compress(const std::vector<uint8_t>& in, std::vector<uint8_t>* out, std::string* error) {
  z_stream zs{};
  // 16 + MAX_WBITS: a gzip header and trailer, as gzip(1) and browsers'
  // DecompressionStream('gzip') expect; level 9, since the page downloads it.
  if (deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return fail(error, "zlib initialisation failed");
  out->resize(deflateBound(&zs, static_cast<uLong>(in.size())));
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = out->data();
  zs.avail_out = static_cast<uInt>(out->size());
  const int rc = deflate(&zs, Z_FINISH);
  out->resize(out->size() - zs.avail_out);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return fail(error, "gzip compression failed");
  return true;
}

bool idx_load(const std::string& path, IdxArray* out, std::string* error) {
  std::vector<uint8_t> bytes;
  if (!read_file(path, &bytes, error)) return false;
  if (bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b) {
    std::vector<uint8_t> inflated;
    if (!gunzip(bytes, &inflated, error)) return fail(error, path + ": " + *error);
    bytes.swap(inflated);
  }
  if (!idx_parse(std::move(bytes), out, error)) return fail(error, path + ": " + *error);
  return true;
}

namespace {

bool is_directory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// The last component of a path without trailing slashes ("a/b/" -> "b").
std::string base_name(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The torchvision folders of the data sets that share the MNIST file names.
constexpr const char* kTorchvisionFolders[] = {"MNIST", "FashionMNIST"};

// The first of `names` that exists in `dir`, each plain or with ".gz".
bool find_file(const std::string& dir, const std::vector<std::string>& names, std::string* path) {
  for (const std::string& name : names)
    for (const char* suffix : {"", ".gz"}) {
      const std::string candidate = dir + "/" + name + suffix;
      if (file_exists(candidate)) {
        *path = candidate;
        return true;
      }
    }
  return false;
}

}  // namespace

bool dataset_find(const std::string& dir, const std::string& folder, Split split, DatasetFiles* out,
                  std::string* error) {
  *out = DatasetFiles{};
  std::string root = dir.empty() ? "." : dir;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  const std::string prefix = split == Split::train ? "train" : "t10k";
  // The names the original site uses, then the ones Windows tools and 7-Zip give them.
  const std::vector<std::string> images_names = {prefix + "-images-idx3-ubyte", prefix + "-images.idx3-ubyte"};
  const std::vector<std::string> labels_names = {prefix + "-labels-idx1-ubyte", prefix + "-labels.idx1-ubyte"};
  const std::string wanted = images_names[0] + ", " + labels_names[0] + " (or " + images_names[1] + ", " +
                             labels_names[1] + "; plain or .gz)";

  // ./dataset/FashionMNIST (or its raw/) when another data set was asked for.
  const std::string own = base_name(root) == "raw" && root.size() > 3 ? root.substr(0, root.size() - 4) : root;
  for (const char* other : kTorchvisionFolders)
    if (base_name(own) == other && folder != other) {
      out->other = other;
      return fail(error, dir + " is the " + other + " folder, not " + folder + "'s");
    }
  if (!is_directory(root)) return fail(error, "missing " + wanted + ": there is no folder " + dir);

  const std::vector<std::string> candidates = {root, root + "/raw", root + "/" + folder + "/raw", root + "/" + folder};
  for (const std::string& candidate : candidates) {
    if (!is_directory(candidate)) continue;
    const bool has_images = find_file(candidate, images_names, &out->images);
    const bool has_labels = find_file(candidate, labels_names, &out->labels);
    if (has_images && has_labels) {
      out->dir = candidate;
      return true;
    }
    if (has_images || has_labels) {
      const std::vector<std::string>& missing = has_images ? labels_names : images_names;
      const std::string found = has_images ? out->images : out->labels;
      out->images.clear();
      out->labels.clear();
      return fail(error, "missing " + candidate + "/" + missing[0] + " (or " + missing[1] + "; plain or .gz) next to " +
                             found);
    }
  }
  if (!is_directory(root + "/" + folder))
    for (const char* other : kTorchvisionFolders)
      if (folder != other && is_directory(root + "/" + other)) {
        out->other = other;
        return fail(error, dir + " holds " + other + "/ but not " + folder + "/");
      }
  std::string where;
  for (size_t i = 0; i < candidates.size(); ++i)
    where += (i == 0 ? "" : i + 1 == candidates.size() ? " or " : ", ") + candidates[i];
  return fail(error, "missing " + wanted + " in " + where);
}

bool dataset_load(const DatasetFiles& files, Dataset* out, std::string* error) {
  IdxArray images, labels;
  if (!idx_load(files.images, &images, error) || !idx_load(files.labels, &labels, error)) return false;
  if (!dataset_from_idx(std::move(images), std::move(labels), out, error))
    return fail(error, files.dir + ": " + *error);
  return true;
}

bool dataset_load(const std::string& dir, Split split, Dataset* out, std::string* error, const std::string& folder) {
  DatasetFiles files;
  return dataset_find(dir, folder, split, &files, error) && dataset_load(files, out, error);
}

bool model_file_load(const std::string& path, ModelFile* out, std::string* error) {
  std::vector<uint8_t> bytes;
  if (!read_file(path, &bytes, error, uint64_t{2} << 30)) return false;
  if (!model_file_decode(bytes.data(), bytes.size(), out, error)) return fail(error, path + ": " + *error);
  return true;
}

bool model_file_save(const std::string& path, const ModelFile& file, std::string* error) {
  return write_file_atomic(path, model_file_encode(file), error);
}

}  // namespace lp

#include "io/file_io.h"

#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <catch2/catch.hpp>
#include <cstdlib>

using namespace lp;

namespace {

// A fresh directory per test case, removed afterwards.
struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/latentpad-test-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
  std::string operator/(const std::string& name) const { return path + "/" + name; }
};

std::vector<uint8_t> gzip(const std::vector<uint8_t>& data) {
  z_stream zs{};
  deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::vector<uint8_t> out(deflateBound(&zs, data.size()) + 32);
  zs.next_in = const_cast<Bytef*>(data.data());
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

void write(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::string error;
  REQUIRE(write_file_atomic(path, bytes, &error));
}

IdxArray make_images(uint32_t n) {
  IdxArray a;
  a.dims = {n, 4, 4};
  for (uint32_t i = 0; i < n * 16; ++i) a.values.push_back(static_cast<uint8_t>(i % 256));
  return a;
}

}  // namespace

TEST_CASE("atomic writes replace the file whole and leave no temporary", "[file_io]") {
  TempDir dir;
  std::string error;
  write(dir / "a.bin", {1, 2, 3});
  write(dir / "a.bin", {4, 5});
  std::vector<uint8_t> back;
  REQUIRE(read_file(dir / "a.bin", &back, &error));
  CHECK(back == std::vector<uint8_t>{4, 5});
  CHECK(std::system(("test $(ls -A '" + dir.path + "' | wc -l) -eq 1").c_str()) == 0);
  CHECK_FALSE(write_file_atomic(dir / "missing/a.bin", back, &error));
  CHECK_THAT(error, Catch::Contains("missing/a.bin"));
}

TEST_CASE("read_file reports missing and oversized files", "[file_io]") {
  TempDir dir;
  std::vector<uint8_t> out;
  std::string error;
  CHECK_FALSE(read_file(dir / "nope", &out, &error));
  CHECK_THAT(error, Catch::Contains("No such file"));
  write(dir / "big", std::vector<uint8_t>(100));
  CHECK_FALSE(read_file(dir / "big", &out, &error, 10));
  CHECK_THAT(error, Catch::Contains("more than"));
  CHECK_FALSE(read_file(dir.path, &out, &error));  // a directory
}

TEST_CASE("gunzip inflates, and rejects corrupt, truncated and oversized data", "[file_io]") {
  std::vector<uint8_t> data(5000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 7);
  const std::vector<uint8_t> packed = gzip(data);
  std::vector<uint8_t> out;
  std::string error;
  REQUIRE(gunzip(packed, &out, &error));
  CHECK(out == data);
  CHECK_FALSE(gunzip(std::vector<uint8_t>(packed.begin(), packed.begin() + 30), &out, &error));
  CHECK_THAT(error, Catch::Contains("truncated"));
  std::vector<uint8_t> bad = packed;
  bad[12] ^= 0xFF;
  bad[13] ^= 0xFF;
  CHECK_FALSE(gunzip(bad, &out, &error));
  CHECK_FALSE(gunzip(packed, &out, &error, 1000));
  CHECK_THAT(error, Catch::Contains("more than 1000"));
}

TEST_CASE("dataset_load reads plain and gzipped IDX splits", "[file_io]") {
  TempDir dir;
  IdxArray labels;
  labels.dims = {3};
  labels.values = {1, 2, 3};
  write(dir / "train-images-idx3-ubyte.gz", gzip(idx_encode(make_images(3))));
  write(dir / "train-labels-idx1-ubyte", idx_encode(labels));
  Dataset data;
  std::string error;
  REQUIRE(dataset_load(dir.path, Split::train, &data, &error));
  CHECK(data.size() == 3);
  CHECK(data.rows == 4);
  CHECK(data.floats()(1, 1) == 17.0f / 255.0f);  // image 1, pixel 1: value 16 + 1
  CHECK_FALSE(dataset_load(dir.path, Split::test, &data, &error));
  CHECK_THAT(error, Catch::Contains("t10k-images-idx3-ubyte"));
  // A truncated gzip names the file.
  std::vector<uint8_t> gz = gzip(idx_encode(make_images(3)));
  gz.resize(gz.size() / 2);
  write(dir / "train-images-idx3-ubyte.gz", gz);
  CHECK_FALSE(dataset_load(dir.path, Split::train, &data, &error));
  CHECK_THAT(error, Catch::Contains("train-images-idx3-ubyte.gz"));
}

namespace {

// A split of n images as IDX files named `images` and `labels` in `dir`
// (created with its parents); a ".gz" name is written gzipped.
void write_split(const std::string& dir, const std::string& images, const std::string& labels, uint32_t n) {
  std::string error;
  REQUIRE(make_directories(dir, &error));
  IdxArray l;
  l.dims = {n};
  for (uint32_t i = 0; i < n; ++i) l.values.push_back(static_cast<uint8_t>(i % 10));
  auto pack = [](const std::string& name, std::vector<uint8_t> bytes) {
    return name.size() > 3 && name.compare(name.size() - 3, 3, ".gz") == 0 ? gzip(bytes) : bytes;
  };
  write(dir + "/" + images, pack(images, idx_encode(make_images(n))));
  write(dir + "/" + labels, pack(labels, idx_encode(l)));
}

void write_test_split(const std::string& dir, uint32_t n) {
  write_split(dir, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", n);
}

}  // namespace

TEST_CASE("dataset_find takes a torchvision root, its MNIST folder and the raw folder", "[file_io]") {
  TempDir dir;
  write_test_split(dir / "dataset/MNIST/raw", 5);
  DatasetFiles files;
  std::string error;
  for (const std::string given : {"dataset", "dataset/", "dataset/MNIST", "dataset/MNIST/raw", "dataset/MNIST/raw/"}) {
    INFO(given);
    REQUIRE(dataset_find(dir / given, "MNIST", Split::test, &files, &error));
    CHECK(files.dir == dir / "dataset/MNIST/raw");
    CHECK(files.images == dir / "dataset/MNIST/raw/t10k-images-idx3-ubyte");
    CHECK(files.labels == dir / "dataset/MNIST/raw/t10k-labels-idx1-ubyte");
  }
  Dataset data;
  REQUIRE(dataset_load(dir / "dataset", Split::test, &data, &error));
  CHECK(data.size() == 5);
  // A folder with the files in it, as data/mnist: found where it always was.
  write_test_split(dir / "flat", 4);
  REQUIRE(dataset_find(dir / "flat", "MNIST", Split::test, &files, &error));
  CHECK(files.dir == dir / "flat");
}

TEST_CASE("dataset_find picks the data set's own torchvision folder", "[file_io]") {
  TempDir dir;
  write_test_split(dir / "dataset/MNIST/raw", 5);
  write_test_split(dir / "dataset/FashionMNIST/raw", 7);
  Dataset data;
  std::string error;
  REQUIRE(dataset_load(dir / "dataset", Split::test, &data, &error, "FashionMNIST"));
  CHECK(data.size() == 7);
  REQUIRE(dataset_load(dir / "dataset", Split::test, &data, &error, "MNIST"));
  CHECK(data.size() == 5);
  REQUIRE(dataset_load(dir / "dataset/FashionMNIST", Split::test, &data, &error, "FashionMNIST"));
  CHECK(data.size() == 7);
}

TEST_CASE("dataset_find finds the dotted names Windows tools and 7-Zip unpack, plain or gzipped", "[file_io]") {
  TempDir dir;
  write_split(dir / "dataset/MNIST/raw", "train-images.idx3-ubyte", "train-labels.idx1-ubyte.gz", 6);
  DatasetFiles files;
  std::string error;
  REQUIRE(dataset_find(dir / "dataset", "MNIST", Split::train, &files, &error));
  CHECK(files.images == dir / "dataset/MNIST/raw/train-images.idx3-ubyte");
  CHECK(files.labels == dir / "dataset/MNIST/raw/train-labels.idx1-ubyte.gz");
  Dataset data;
  REQUIRE(dataset_load(files, &data, &error));
  CHECK(data.size() == 6);
  CHECK(data.labels[3] == 3);
  write_split(dir / "gz", "train-images.idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", 2);
  REQUIRE(dataset_load(dir / "gz", Split::train, &data, &error));
  CHECK(data.size() == 2);
}

TEST_CASE("dataset_find says when a folder holds the other data set only", "[file_io]") {
  TempDir dir;
  write_test_split(dir / "dataset/FashionMNIST/raw", 3);
  DatasetFiles files;
  std::string error;
  CHECK_FALSE(dataset_find(dir / "dataset", "MNIST", Split::test, &files, &error));
  CHECK(error == dir / "dataset holds FashionMNIST/ but not MNIST/");
  CHECK(files.other == "FashionMNIST");
  // Pointed at the other data set's own folder (or its raw/): refused, not loaded as MNIST.
  for (const std::string given : {"dataset/FashionMNIST", "dataset/FashionMNIST/raw"}) {
    INFO(given);
    CHECK_FALSE(dataset_find(dir / given, "MNIST", Split::test, &files, &error));
    CHECK(error == dir / given + " is the FashionMNIST folder, not MNIST's");
    CHECK(files.other == "FashionMNIST");
  }
}

TEST_CASE("dataset_find lists the names and folders it looked in when nothing is there", "[file_io]") {
  TempDir dir;
  std::string error;
  DatasetFiles files;
  REQUIRE(make_directories(dir / "dataset", &error));
  CHECK_FALSE(dataset_find(dir / "dataset", "MNIST", Split::test, &files, &error));
  const std::string d = dir / "dataset";
  CHECK(error == "missing t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (or t10k-images.idx3-ubyte, "
                 "t10k-labels.idx1-ubyte; plain or .gz) in " +
                     d + ", " + d + "/raw, " + d + "/MNIST/raw or " + d + "/MNIST");
  CHECK(files.other.empty());
  CHECK_FALSE(dataset_find(dir / "nowhere", "MNIST", Split::train, &files, &error));
  CHECK(error == "missing train-images-idx3-ubyte, train-labels-idx1-ubyte (or train-images.idx3-ubyte, "
                 "train-labels.idx1-ubyte; plain or .gz): there is no folder " + (dir / "nowhere"));
  // Half a split: the missing file is named, next to the one that is there.
  write(dir / "dataset/t10k-images.idx3-ubyte", idx_encode(make_images(2)));
  CHECK_FALSE(dataset_find(dir / "dataset", "MNIST", Split::test, &files, &error));
  CHECK(error == "missing " + d + "/t10k-labels-idx1-ubyte (or t10k-labels.idx1-ubyte; plain or .gz) next to " + d +
                     "/t10k-images.idx3-ubyte");
}

TEST_CASE("model files save and load through disk", "[file_io]") {
  TempDir dir;
  Rng rng(1);
  ModelFile file;
  file.model = autoencoder_create({16, {4}, 2}, rng);
  std::string error;
  REQUIRE(model_file_save(dir / "m.lpad", file, &error));
  ModelFile back;
  REQUIRE(model_file_load(dir / "m.lpad", &back, &error));
  CHECK(back.model.decoder.layers[1].weight == file.model.decoder.layers[1].weight);
  write(dir / "junk.lpad", {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24});
  CHECK_FALSE(model_file_load(dir / "junk.lpad", &back, &error));
  CHECK_THAT(error, Catch::Contains("junk.lpad: not a LatentPad model file"));
}

TEST_CASE("a failed write names the user's path, not the temporary file", "[file_io]") {
  std::string error;
  const char bytes[] = "x";
  REQUIRE_FALSE(write_file_atomic("/nonexistent-latentpad-dir/x.png", bytes, 1, &error));
  CHECK(error == "/nonexistent-latentpad-dir/x.png: No such file or directory");
}

TEST_CASE("gzip_compress writes what gunzip (and gzip(1)) read back", "[file_io]") {
  std::vector<uint8_t> data(100000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>((i * 7) % 13 + (i % 1000 == 0 ? 100 : 0));
  std::vector<uint8_t> packed, back;
  std::string error;
  REQUIRE(gzip_compress(data, &packed, &error));
  CHECK(packed.size() < data.size() / 10);
  CHECK(packed[0] == 0x1f);
  CHECK(packed[1] == 0x8b);
  REQUIRE(gunzip(packed, &back, &error));
  CHECK(back == data);
  TempDir dir;
  write(dir / "x.gz", packed);
  CHECK(std::system(("gzip -t '" + (dir / "x.gz") + "'").c_str()) == 0);
}

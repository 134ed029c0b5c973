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

// decode_bench: native single-thread decoder throughput (digits/s), the
// reference for the wasm figures in tools/bench/web. Same codes, same batch
// sizes as the page's window.latentpad.benchDecode().
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "kernels/dense_kernel.h"
#include "io/file_io.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: decode_bench MODEL.lpad\n");
    return 2;
  }
  lp::ModelFile file;
  std::string error;
  if (!lp::model_file_load(argv[1], &file, &error)) {
    std::fprintf(stderr, "decode_bench: %s\n", error.c_str());
    return 1;
  }
  const lp::Mlp& decoder = file.model.decoder;
  for (int count : {1, 81, 1024}) {
    std::vector<float> codes(2 * count), pixels(static_cast<size_t>(count) * decoder.out_size());
    for (int i = 0; i < count; ++i) {
      codes[2 * i] = -1.0f + 2.0f * (i % 97) / 96.0f;
      codes[2 * i + 1] = 1.0f - 2.0f * (i % 89) / 88.0f;
    }
    const int repeats = count == 1 ? 2000 : 50;
    lp::mlp_infer(decoder, codes.data(), count, pixels.data());  // warm up
    const auto t0 = std::chrono::steady_clock::now();
    for (int r = 0; r < repeats; ++r) lp::mlp_infer(decoder, codes.data(), count, pixels.data());
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / repeats;
    std::printf("native_decode batch %4d: %8.3f ms, %8.0f digits/s (%s)\n", count, ms, count / ms * 1000.0,
                lp::dense_kernel_name());
  }
}

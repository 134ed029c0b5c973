// gemm_rate: this machine's single-precision matrix-multiply rate through
// Eigen, the ceiling the trainer's products run against. C = A B with
// 1024x1024 matrices, the columns of C split over N std::threads (as the
// trainer splits its work; Eigen's own threading needs OpenMP, which the
// library does not use). Prints the best of several runs in GFLOP/s.
#include <Eigen/Core>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
  if (threads < 1 || threads > 64) {
    std::fprintf(stderr, "usage: gemm_rate [THREADS]\n");
    return 2;
  }
  constexpr int n = 1024;
  const Eigen::MatrixXf a = Eigen::MatrixXf::Random(n, n), b = Eigen::MatrixXf::Random(n, n);
  Eigen::MatrixXf c(n, n);
  double best = 1e30;
  for (int run = 0; run < 12; ++run) {
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        const int lo = n * t / threads, hi = n * (t + 1) / threads;
        c.middleCols(lo, hi - lo).noalias() = a * b.middleCols(lo, hi - lo);
      });
    for (std::thread& th : pool) th.join();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::printf("eigen_sgemm_gflops %.1f (1024^3, %d thread%s, best of 12; checksum %.3f)\n", 2.0 * n * n * n / best / 1e9,
              threads, threads == 1 ? "" : "s", static_cast<double>(c.sum()));
  return 0;
}

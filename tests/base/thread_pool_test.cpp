#include "base/thread_pool.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <vector>

using namespace lp;

// Tasks are claimed from a shared counter by whichever thread gets there
// first, run after run with no lock between them: every index must still run
// exactly once per run, and run must not return before all have finished.
TEST_CASE("thread pool runs every task exactly once per run", "[thread_pool][threads]") {
  for (int threads : {1, 2, 3}) {
    ThreadPool pool(threads);
    CHECK(pool.size() == threads);
    std::vector<std::atomic<int>> calls(64);
    for (int run = 0; run < 3000; ++run) {
      const int tasks = run % 17;  // 0..16: fewer, as many and more tasks than threads
      for (auto& c : calls) c.store(0);
      pool.run(tasks, [&](int i) {
        REQUIRE(i >= 0);
        REQUIRE(i < tasks);
        calls[static_cast<size_t>(i)].fetch_add(1);
      });
      int wrong = 0;
      for (int i = 0; i < 64; ++i) wrong += calls[static_cast<size_t>(i)].load() != (i < tasks ? 1 : 0);
      INFO("threads " << threads << ", run " << run << ", tasks " << tasks);
      REQUIRE(wrong == 0);
    }
  }
}

TEST_CASE("thread pool's default run is one task per thread", "[thread_pool][threads]") {
  ThreadPool pool(2);
  std::atomic<int> sum{0};
  pool.run([&](int i) { sum.fetch_add(i + 1); });
  CHECK(sum.load() == 1 + 2);
  CHECK_THROWS_AS(pool.run(ThreadPool::kMaxTasks + 1, [](int) {}), std::invalid_argument);
}

// A small fork-join pool: run(tasks, fn) calls fn(0..tasks-1), each exactly
// once, and returns when every call has finished. The trainer uses it twice
// per batch (batch shards, then the optimizer), about 2,000 times an epoch.
//
// Tasks are claimed, not assigned: the calling thread and the workers take the
// next unclaimed index from one atomic counter. Which thread runs a task must
// therefore never change what the task computes (results depend on the task
// index only), and a worker that the OS has not scheduled yet costs nothing:
// the caller runs its tasks itself instead of waiting for it. A fixed
// assignment made every batch wait for the slowest thread to wake up, which on
// this shared 2-core machine took longer than the work it was handed.
//
// Between runs the workers spin for a short while (runs come back to back
// within a training step) and then sleep on a condition variable, so an idle
// pool uses no CPU.
//
// The threaded WebAssembly trainer (web/modules/trainer_module.cpp built as
// latentpad_trainer_mt.wasm) has its own implementation of this class,
// base/thread_pool_wasm.cpp: its workers are Web Workers that the page starts
// on the module's shared memory, not std::threads.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace lp {

class ThreadPool {
 public:
  // threads >= 1 in total, the caller included (threads - 1 workers are started).
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return threads_; }
  // fn(i) for every task index i in [0, tasks), 0 <= tasks <= kMaxTasks, on
  // whichever thread claims it (the caller claims too). Not reentrant: one run
  // at a time, from one thread.
  void run(int tasks, const std::function<void(int)>& fn);
  // run(size(), fn): one task per thread, if every thread turns up.
  void run(const std::function<void(int)>& fn) { run(size(), fn); }

  static constexpr int kMaxTasks = 0xffff;

 private:
  void worker_loop();
  // Claims and runs tasks of generation gen until none is left unclaimed.
  void claim_tasks(uint64_t gen);

  int threads_ = 1;
  std::vector<std::thread> workers_;  // native only
  // The current run: generation (high 32 bits), next unclaimed task (16 bits)
  // and task count (low 16 bits) in one word, so that a claim (a
  // compare-and-swap) can only succeed on a task of the run it read.
  std::atomic<uint64_t> ticket_{0};
  std::atomic<int> finished_{0};  // tasks of the current run that have returned
  const std::function<void(int)>* task_ = nullptr;
  // Sleeping workers: woken through the mutex only when there are any.
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<int> sleepers_{0};
  std::atomic<bool> stopping_{false};
};

}  // namespace lp

#include "base/thread_pool.h"

#include <chrono>
#include <stdexcept>

namespace lp {
namespace {

constexpr uint64_t gen_of(uint64_t ticket) { return ticket >> 32; }
constexpr int next_of(uint64_t ticket) { return static_cast<int>((ticket >> 16) & 0xffff); }
constexpr int count_of(uint64_t ticket) { return static_cast<int>(ticket & 0xffff); }

// Tells the core this is a spin-wait (frees the pipeline, saves power).
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// How long a worker polls for the next run before sleeping. A training step's
// two runs follow each other within microseconds, and the next step's first
// run comes a batch later (well under a millisecond); a condition variable's
// wake-up costs tens of microseconds here, longer on a busy machine.
constexpr auto kSpin = std::chrono::microseconds(50);

}  // namespace

ThreadPool::ThreadPool(int threads) : threads_(threads > 1 ? threads : 1) {
  for (int i = 1; i < threads; ++i) workers_.emplace_back(&ThreadPool::worker_loop, this);
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_.store(true);
  }
  wake_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void ThreadPool::claim_tasks(uint64_t gen) {
  uint64_t ticket = ticket_.load(std::memory_order_acquire);
  while (gen_of(ticket) == gen && next_of(ticket) < count_of(ticket)) {
    // Claiming bumps the next-task field; it fails (and reloads) if another
    // thread claimed first or a new run has begun.
    if (!ticket_.compare_exchange_weak(ticket, ticket + (uint64_t{1} << 16), std::memory_order_acq_rel,
                                       std::memory_order_acquire))
      continue;
    // The run cannot finish before this task does, so task_ is still its function.
    (*task_)(next_of(ticket));
    finished_.fetch_add(1, std::memory_order_release);
    ticket = ticket_.load(std::memory_order_acquire);
  }
}

void ThreadPool::run(int tasks, const std::function<void(int)>& fn) {
  if (tasks < 0 || tasks > kMaxTasks) throw std::invalid_argument("ThreadPool::run: task count out of range");
  if (workers_.empty() || tasks <= 1) {
    for (int i = 0; i < tasks; ++i) fn(i);
    return;
  }
  // The previous run has finished (run waited for it), so no thread reads task_ now.
  task_ = &fn;
  finished_.store(0, std::memory_order_relaxed);
  const uint64_t gen = gen_of(ticket_.load(std::memory_order_relaxed)) + 1;
  // seq_cst with the sleepers_ load below, against a worker that counts itself
  // in sleepers_ and then reads ticket_: one of the two sees the other.
  ticket_.store((gen << 32) | static_cast<uint64_t>(tasks), std::memory_order_seq_cst);
  if (sleepers_.load(std::memory_order_seq_cst) > 0) {
    std::lock_guard<std::mutex> lock(mutex_);
    wake_.notify_all();
  }
  claim_tasks(gen);
  // Every task is claimed; the ones still running are on workers that are
  // running them, so wait actively, yielding the core now and then.
  for (int spins = 0; finished_.load(std::memory_order_acquire) < tasks; ++spins) {
    cpu_relax();
    if ((spins & 255) == 255) std::this_thread::yield();
  }
}

void ThreadPool::worker_loop() {
  uint64_t seen = 0;
  for (;;) {
    // Wait for a run newer than the last one seen: spin first, then sleep.
    uint64_t gen = gen_of(ticket_.load(std::memory_order_acquire));
    const auto deadline = std::chrono::steady_clock::now() + kSpin;
    for (int spins = 0; gen == seen && !stopping_.load(std::memory_order_relaxed); ++spins) {
      cpu_relax();
      if ((spins & 63) == 63 && std::chrono::steady_clock::now() > deadline) {
        std::unique_lock<std::mutex> lock(mutex_);
        sleepers_.fetch_add(1, std::memory_order_seq_cst);
        wake_.wait(lock, [&] { return stopping_.load() || gen_of(ticket_.load(std::memory_order_seq_cst)) != seen; });
        sleepers_.fetch_sub(1, std::memory_order_relaxed);
      }
      gen = gen_of(ticket_.load(std::memory_order_acquire));
    }
    if (stopping_.load()) return;
    seen = gen;
    claim_tasks(gen);
  }
}

}  // namespace lp

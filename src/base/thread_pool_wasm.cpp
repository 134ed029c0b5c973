// lp::ThreadPool for the threaded WebAssembly trainer (latentpad_trainer_mt.wasm,
// built with -pthread and linked on shared memory by web/modules/wasm_ld.cmake),
// in place of thread_pool.cpp: the same interface and the same claiming of
// tasks from one atomic counter, so a run computes exactly what the native
// pool's does (results depend on the task index only, never on which thread
// claimed it).
//
// The workers are not std::threads (Emscripten's pthreads need its JavaScript
// glue, which these standalone modules do not have). The embedder (the page's
// training worker, web/page/trainer_threads.js; or Node's worker_threads in
// the tests) starts Web Workers, each of which instantiates the same module on
// the same shared WebAssembly.Memory and then:
//   1. takes the stack, TLS block and thread block that
//      lp_pool_prepare_worker() allocated for it on the training thread
//      (stackRestore(stack top) sets its own __stack_pointer);
//   2. calls lp_pool_worker(), which never returns: it initialises its TLS
//      (the dense kernels keep a thread_local buffer), registers, and waits
//      with memory.atomic.wait64 for runs, whose tasks it claims like the
//      native workers do.
// Every instance of one module has the same function table, so a worker can
// call the run's std::function, which lives in shared memory.
//
// The pool state is global (one set of workers per module, shared by every
// ThreadPool object): runs come from the one training thread, one at a time,
// as the class's contract says. A ThreadPool of N threads uses the workers
// that have registered, whatever their number: with none, or with tasks <= 1,
// run() runs every task on the caller, in order, and the results are the same
// (the trainer's shard count is its config.threads, not the workers present).
// The caller never waits for a worker that has not started: it claims tasks
// too, and waits only for tasks a worker has already claimed.
#include <pthread.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "base/thread_pool.h"

#if !defined(__EMSCRIPTEN__) || !defined(__wasm_atomics__)
#error "thread_pool_wasm.cpp is for the threaded wasm build (-pthread): the native build uses thread_pool.cpp"
#endif

extern "C" {
// Linker-generated (wasm-ld --shared-memory): copies the TLS template to a block.
void __wasm_init_tls(void* memory);
// Emscripten's libc (emscripten_thread_state.S): this instance's pthread_self()
// and whether it may block (memory.atomic.wait), in wasm globals, per instance.
void __set_thread_state(pthread_t ptr, int is_main, int is_runtime, int can_block);
}

namespace lp {
namespace {

constexpr uint64_t gen_of(uint64_t ticket) { return ticket >> 32; }
constexpr int next_of(uint64_t ticket) { return static_cast<int>((ticket >> 16) & 0xffff); }
constexpr int count_of(uint64_t ticket) { return static_cast<int>(ticket & 0xffff); }

// Polls of the ticket before a worker sleeps (wasm has no pause instruction
// nor a cheap clock): on the order of the native pool's 50 microseconds.
constexpr int kSpins = 1 << 15;
// Polls of the finished count before the caller sleeps on it (run()), and the
// longest sleep (a safety net: a notify always ends it first).
constexpr int kCallerSpins = 1 << 14;
constexpr int64_t kCallerWaitNs = 10'000'000;

struct Shared {
  // As ThreadPool's members of the same names (thread_pool.h).
  std::atomic<uint64_t> ticket{0};
  std::atomic<int> finished{0};
  const std::function<void(int)>* task = nullptr;
  std::atomic<int> sleepers{0};
  std::atomic<int> workers{0};       // workers in lp_pool_worker's loop
  std::atomic<int> worker_tasks{0};  // tasks the workers (not the caller) have run
  std::atomic<int> caller_waiting{0};  // the caller sleeps on finished (run())
};
Shared g_pool;

static_assert(sizeof(std::atomic<uint64_t>) == 8 && alignof(std::atomic<uint64_t>) == 8, "wait64 needs an aligned word");

// Claims and runs tasks of generation gen until none is left unclaimed;
// returns how many this thread ran.
int pool_claim(uint64_t gen) {
  int ran = 0;
  uint64_t ticket = g_pool.ticket.load(std::memory_order_acquire);
  while (gen_of(ticket) == gen && next_of(ticket) < count_of(ticket)) {
    if (!g_pool.ticket.compare_exchange_weak(ticket, ticket + (uint64_t{1} << 16), std::memory_order_acq_rel,
                                             std::memory_order_acquire))
      continue;
    // The run cannot finish before this task does, so task is still its function.
    (*g_pool.task)(next_of(ticket));
    ++ran;
    // seq_cst with run()'s store of caller_waiting and reload of finished:
    // either the caller sees this task finished, or this load sees it waiting.
    g_pool.finished.fetch_add(1, std::memory_order_seq_cst);
    if (g_pool.caller_waiting.load(std::memory_order_seq_cst))
      __builtin_wasm_memory_atomic_notify(reinterpret_cast<int*>(&g_pool.finished), 1);
    ticket = g_pool.ticket.load(std::memory_order_acquire);
  }
  return ran;
}

}  // namespace

ThreadPool::ThreadPool(int threads) : threads_(threads > 1 ? threads : 1) {}

ThreadPool::~ThreadPool() = default;

void ThreadPool::run(int tasks, const std::function<void(int)>& fn) {
  if (tasks < 0 || tasks > kMaxTasks) throw std::invalid_argument("ThreadPool::run: task count out of range");
  if (threads_ == 1 || tasks <= 1 || g_pool.workers.load(std::memory_order_acquire) == 0) {
    for (int i = 0; i < tasks; ++i) fn(i);
    return;
  }
  // The previous run has finished (run waited for it), so no thread reads task now.
  g_pool.task = &fn;
  g_pool.finished.store(0, std::memory_order_relaxed);
  const uint64_t gen = gen_of(g_pool.ticket.load(std::memory_order_relaxed)) + 1;
  g_pool.ticket.store((gen << 32) | static_cast<uint64_t>(tasks), std::memory_order_seq_cst);
  if (g_pool.sleepers.load(std::memory_order_seq_cst) > 0)
    __builtin_wasm_memory_atomic_notify(reinterpret_cast<int*>(&g_pool.ticket), ~0u);
  pool_claim(gen);
  // Every task is claimed; the ones still running are on workers that are
  // running them. Poll a while (they usually end within microseconds of the
  // caller's own), then sleep until the last one ends: on a busy machine a
  // worker may be descheduled mid-task, and a spinning caller would take the
  // core it needs.
  for (int spins = 0; g_pool.finished.load(std::memory_order_acquire) < tasks; ++spins) {
    if (spins < kCallerSpins) continue;
    g_pool.caller_waiting.store(1, std::memory_order_seq_cst);
    const int finished = g_pool.finished.load(std::memory_order_seq_cst);
    if (finished < tasks)
      __builtin_wasm_memory_atomic_wait32(reinterpret_cast<int*>(&g_pool.finished), finished, kCallerWaitNs);
    g_pool.caller_waiting.store(0, std::memory_order_relaxed);
    spins = 0;
  }
}

}  // namespace lp

extern "C" {

// Allocates, on the calling (training) thread, what one worker needs before
// it can run C++: [0] its stack's top (stack_size bytes, 16-aligned), [1] its
// TLS block (__tls_size bytes at __tls_align), [2] a zeroed thread block for
// pthread_self(). Returns a pointer to those three words, or 0.
__attribute__((used)) uint32_t* lp_pool_prepare_worker(int stack_size) {
  auto* words = static_cast<uint32_t*>(std::malloc(3 * sizeof(uint32_t)));
  char* stack = static_cast<char*>(std::aligned_alloc(16, static_cast<size_t>(stack_size)));
  const size_t tls_align = __builtin_wasm_tls_align(), tls_size = __builtin_wasm_tls_size();
  void* tls = std::aligned_alloc(tls_align < 16 ? 16 : tls_align, (tls_size + 15) / 16 * 16 + 16);
  void* block = std::calloc(1, 1024);
  if (!words || !stack || !tls || !block) return nullptr;
  words[0] = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(stack + stack_size));
  words[1] = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(tls));
  words[2] = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(block));
  return words;
}

// A worker's life, on its own instance, after stackRestore(words[0]): never
// returns (the embedder terminates the Web Worker).
__attribute__((used)) void lp_pool_worker(void* tls, void* thread_block) {
  __wasm_init_tls(tls);
  __set_thread_state(reinterpret_cast<pthread_t>(thread_block), 0, 0, 1);
  lp::g_pool.workers.fetch_add(1, std::memory_order_acq_rel);
  uint64_t seen = lp::gen_of(lp::g_pool.ticket.load(std::memory_order_acquire));
  for (;;) {
    uint64_t ticket = lp::g_pool.ticket.load(std::memory_order_acquire);
    for (int spins = 0; lp::gen_of(ticket) == seen; ++spins) {
      if (spins >= lp::kSpins) {
        // seq_cst with run()'s store of the ticket and load of sleepers: either
        // run() sees this sleeper and notifies, or this load sees the new run.
        lp::g_pool.sleepers.fetch_add(1, std::memory_order_seq_cst);
        ticket = lp::g_pool.ticket.load(std::memory_order_seq_cst);
        if (lp::gen_of(ticket) == seen)
          __builtin_wasm_memory_atomic_wait64(reinterpret_cast<int64_t*>(&lp::g_pool.ticket),
                                              static_cast<int64_t>(ticket), -1);
        lp::g_pool.sleepers.fetch_sub(1, std::memory_order_relaxed);
        spins = 0;
      }
      ticket = lp::g_pool.ticket.load(std::memory_order_acquire);
    }
    seen = lp::gen_of(ticket);
    const int ran = lp::pool_claim(seen);
    if (ran) lp::g_pool.worker_tasks.fetch_add(ran, std::memory_order_relaxed);
  }
}

// Workers registered so far, and the tasks they (not the caller) have run:
// what the tests check to know the work was really shared.
__attribute__((used)) int lp_pool_workers() { return lp::g_pool.workers.load(std::memory_order_acquire); }
__attribute__((used)) int lp_pool_worker_tasks() { return lp::g_pool.worker_tasks.load(std::memory_order_acquire); }

// What Emscripten's JavaScript glue would provide to its C library, which
// these modules link without it:
//   - the main thread's start (called once from the constructors, on the
//     training thread: a worker thread, which may block, or Node's main thread);
void __emscripten_init_main_thread_js(pthread_t thread) { __set_thread_state(thread, 0, 1, 1); }
//   - two calls of the C library's blocking paths that only a main browser
//     thread takes, which these threads are not;
void emscripten_unwind_to_js_event_loop(void) { __builtin_trap(); }
void emscripten_check_blocking_allowed(void) {}
//   - thread_local destructors (the kernels' buffer): threads here never exit,
//     so there is nothing to register (libc++abi's version would use pthread
//     keys, which need the glue's thread blocks).
int __cxa_thread_atexit(void (*)(void*), void*, void*) { return 0; }

}  // extern "C"

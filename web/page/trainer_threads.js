// The trainer on several threads: latentpad_trainer_mt.wasm (or its
// relaxed-SIMD twin), web/modules/trainer_module.cpp compiled with atomics and
// linked on shared memory, whose thread pool (src/base/thread_pool_wasm.cpp)
// has Web Workers for workers. The page's training worker uses it when the
// page is cross-origin isolated (SharedArrayBuffer); the Node parity test uses
// it with worker_threads.
//
//   const trainer = await instantiateThreadedTrainer(compiledModule, threads, spawnWebWorker);
//   ... the same API as trainer_module.js's instantiateTrainer, plus
//   trainer.workers()      worker threads running (threads - 1 once started)
//   trainer.workerTasks()  tasks the workers (not the training thread) have run
//   trainer.terminate()    stops the workers
//
// Each batch is split into `threads` shards, as the native trainer's
// --threads splits it: the results are the native trainer's at that thread
// count (to the kernels' rounding), and the same whichever thread runs which
// shard.
import { instantiateTrainer } from './trainer_module.js';

const THREAD_STACK_BYTES = 2 << 20;
// The module's declared memory (web/modules/relaxed_simd.cmake, THREADS): 16 MB
// to start, up to 1 GB, in 64 KB pages.
const MEMORY = { initial: 256, maximum: 16384, shared: true };

// spawn(data) starts one worker thread on thread_worker.js and hands it data
// ({ module, memory, stackTop, tls, block }); it returns { ready, terminate },
// ready resolving once the worker has instantiated the module.
export async function instantiateThreadedTrainer(module, threads, spawn = spawnWebWorker) {
  if (!(module instanceof WebAssembly.Module)) throw new Error('the threaded trainer needs a compiled WebAssembly.Module');
  // A shared memory reserves its maximum up front, and a browser short of
  // address space (a phone, a 32-bit build) may refuse 1 GB: said as such, so
  // that the training worker can fall back to the single-thread build.
  let memory;
  try {
    memory = new WebAssembly.Memory(MEMORY);
  } catch (error) {
    throw new Error(`the browser could not reserve the threaded trainer's shared memory (up to 1 GB): ${error.message}`);
  }
  const trainer = await instantiateTrainer(module, memory);
  trainer.setThreads(threads);
  const workers = [];
  try {
    for (let i = 1; i < threads; i++) {
      // The worker's stack, TLS and thread block, allocated here: a worker
      // cannot call malloc before it has a stack of its own.
      const words = trainer.wasm.lp_pool_prepare_worker(THREAD_STACK_BYTES);
      if (!words) throw new Error('out of memory for a training thread');
      const [stackTop, tls, block] = new Uint32Array(memory.buffer, words, 3);
      trainer.wasm.free(words);
      workers.push(spawn({ module, memory, stackTop, tls, block }));
    }
    await Promise.all(workers.map((w) => w.ready));
    // Each worker registers right after it says it is ready.
    const deadline = performance.now() + 10000;
    while (trainer.wasm.lp_pool_workers() < threads - 1) {
      if (performance.now() > deadline) throw new Error('the training threads did not start');
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  } catch (error) {
    workers.forEach((w) => w.terminate());
    throw error;
  }
  trainer.threads = threads;
  trainer.workers = () => trainer.wasm.lp_pool_workers();
  trainer.workerTasks = () => trainer.wasm.lp_pool_worker_tasks();
  trainer.terminate = () => workers.forEach((w) => w.terminate());
  return trainer;
}

// A worker thread as a Web Worker (the page's training worker starts them).
export function spawnWebWorker(data) {
  const worker = new Worker(new URL('thread_worker.js', import.meta.url), { type: 'module' });
  const ready = new Promise((resolve, reject) => {
    worker.onmessage = ({ data: message }) => (message.type === 'running' ? resolve() : reject(new Error(message.message)));
    worker.onerror = (event) => {
      if (event.preventDefault) event.preventDefault();
      reject(new Error(`a training thread stopped: ${event.message || 'it could not be loaded'}`));
    };
  });
  worker.postMessage(data);
  return { ready, terminate: () => worker.terminate() };
}

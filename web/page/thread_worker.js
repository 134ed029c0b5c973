// One worker thread of the threaded trainer (trainer_threads.js): instantiates
// latentpad_trainer_mt.wasm on the training thread's shared memory (the
// module's start function sees the memory already initialised and leaves it),
// takes the stack, TLS block and thread block allocated for it, and enters the
// thread pool's worker loop (src/base/thread_pool_wasm.cpp), which never
// returns: it waits for the training thread's runs and claims their tasks.
// A Web Worker in the page; a worker_threads Worker under Node (the tests).
import { imports } from './standalone_wasm.js';

function run({ module, memory, stackTop, tls, block }, post) {
  let instance;
  try {
    instance = new WebAssembly.Instance(module, imports('a training thread', () => memory, memory));
  } catch (error) {
    post({ type: 'failed', message: `a training thread could not start: ${error.message}` });
    return;
  }
  post({ type: 'running' });
  // Its own stack first: until then __stack_pointer is the training thread's.
  instance.exports.stackRestore(stackTop);
  instance.exports.lp_pool_worker(tls, block);
}

if (typeof self !== 'undefined' && typeof self.postMessage === 'function') {
  self.onmessage = ({ data }) => run(data, (message) => self.postMessage(message));
} else {
  const { parentPort } = await import('node:worker_threads');
  parentPort.once('message', (data) => run(data, (message) => parentPort.postMessage(message)));
}

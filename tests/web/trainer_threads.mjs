// The threaded trainer (latentpad_trainer_mt.wasm, or its relaxed-SIMD twin:
// web/modules/trainer_module.cpp on shared memory, with worker_threads as its
// thread pool's workers, src/base/thread_pool_wasm.cpp) against itself, the
// single-thread module and the native trainer (`latentpad train --threads`):
//   - with 2 threads the worker thread really runs shards (it registers, and
//     claims tasks), and 20 steps end with exactly (bit for bit) the weights
//     of the same module splitting each batch into the same 2 shards on the
//     training thread alone, and of a second run: which thread runs which
//     shard changes nothing;
//   - the single-thread module (latentpad_trainer.wasm, the other build of
//     the same source) stepping the same 2 shards on its one thread ends bit
//     for bit where the threaded build on 2 threads does, for an autoencoder
//     and a VAE: the threaded build computes what the page's usual trainer
//     does, only faster;
//   - at 1 thread the threaded build is bit for bit the single-thread module;
//   - 2 threads differ from 1 as the native trainer's do: the weights after
//     20 steps agree with native --threads 2 to 1e-4 (the kernels differ, as
//     in trainer_parity.mjs at one thread), and both the wasm and the native
//     2-thread runs differ from their 1-thread runs;
//   - the same for a VAE (eps drawn for the whole batch before the split);
//   - one MNIST epoch on 2 threads reaches native --threads 2's test MSE
//     within 3 % (the images/s under Node are printed).
//
// usage: node trainer_threads.mjs TRAINER_MT_WASM TRAINER_WASM LATENTPAD_BINARY MNIST_DIR
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { STATUS, instantiateTrainer } from '../../web/page/trainer_module.js';
import { instantiateThreadedTrainer } from '../../web/page/trainer_threads.js';
import { checker, lpadParameters, mnistParts, runNative } from './trainer_testing.mjs';

const [mtWasm, singleWasm, latentpad, dataDir] = process.argv.slice(2);
if (!dataDir) {
  console.error('usage: node trainer_threads.mjs TRAINER_MT_WASM TRAINER_WASM LATENTPAD_BINARY MNIST_DIR');
  process.exit(2);
}
const work = mkdtempSync(join(tmpdir(), 'latentpad-threads-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

const { check, finish } = checker('trainer threads');

const maxDiff = (a, b) => {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
};
const bitEqual = (a, b) => a.length === b.length &&
  Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;

const native = (args) => runNative(latentpad, args);

// worker_threads as the pool's workers: web/page/thread_worker.js under Node.
const threadWorker = fileURLToPath(new URL('../../web/page/thread_worker.js', import.meta.url));
const spawned = [];
function spawnNodeWorker(data) {
  const worker = new Worker(threadWorker);
  spawned.push(worker);
  const ready = new Promise((resolve, reject) => {
    worker.once('message', (m) => (m.type === 'running' ? resolve() : reject(new Error(m.message))));
    worker.once('error', reject);
  });
  worker.postMessage(data);
  return { ready, terminate: () => worker.terminate() };
}

const data = mnistParts(dataDir);
const module = new WebAssembly.Module(readFileSync(mtWasm));
const withData = (trainer) => (data.forEach((bytes, part) => trainer.setData(part, bytes)), trainer);

// The weights after one epoch of `limit` images (20 steps for 1,280).
function run(trainer, options) {
  trainer.start({ epochs: 1, lr: 1e-3, batch: 64, seed: 7, limit: 1280, ...options });
  let status = STATUS.running;
  while (status === STATUS.running) status = trainer.steps(5);
  if (status !== STATUS.finished) throw new Error(`status ${status}: ${trainer.lastError()}`);
  return { weights: lpadParameters(trainer.modelBytes()), progress: trainer.progress() };
}
function nativeRun(threads, flags = []) {
  const out = join(work, `native-${threads}-${flags.join('_')}.lpad`);
  native(['train', '--data', dataDir, '--limit', '1280', '--epochs', '1', '--batch', '64', '--seed', '7',
          '--threads', String(threads), ...flags, '--out', out]);
  return lpadParameters(readFileSync(out));
}

try {
  // 1. Two threads: the training thread and one worker thread.
  const two = withData(await instantiateThreadedTrainer(module, 2, spawnNodeWorker));
  check(two.workers() === 1, `2 threads: ${two.workers()} worker thread registered (want 1)`);
  const parallel = run(two, {});
  const workerTasks = two.workerTasks();
  check(parallel.progress.step === 20 && parallel.progress.threads === 2 && workerTasks > 0,
        `2 threads: 20 steps, the run reports ${parallel.progress.threads} threads, and the worker thread ran ` +
        `${workerTasks} pool tasks (of the ${20 * 2 * 2} shard tasks and the test evaluation's 2; the training thread ran the rest)`);
  const again = run(two, {});
  check(bitEqual(parallel.weights, again.weights), '2 threads: a second run ends with bit-identical weights');

  // 2. The same 2 shards, all on the training thread (no worker threads).
  const alone = withData(await instantiateThreadedTrainer(module, 1, spawnNodeWorker));
  alone.setThreads(2);
  const sequential = run(alone, {});
  check(alone.workers() === 0 && bitEqual(parallel.weights, sequential.weights),
        `2 shards on 2 threads and on the training thread alone: bit-identical weights ` +
        `(max difference ${maxDiff(parallel.weights, sequential.weights)})`);

  // 3. The single-thread module, 2 shards on its one thread.
  const single = withData(await instantiateTrainer(readFileSync(singleWasm)));
  single.setThreads(2);
  const singleTwo = run(single, {});
  check(singleTwo.progress.threads === 2 && bitEqual(parallel.weights, singleTwo.weights),
        `2 shards: the threaded build on 2 threads and the single-thread module on its one thread end bit-identical ` +
        `(max difference ${maxDiff(parallel.weights, singleTwo.weights)})`);

  // 4. One thread: the threaded build is the single-thread module.
  alone.setThreads(1);
  const oneMt = run(alone, {});
  single.setThreads(1);
  const one = run(single, {});
  check(bitEqual(oneMt.weights, one.weights),
        `1 thread: the threaded build and the single-thread module end bit-identical (max difference ${maxDiff(oneMt.weights, one.weights)})`);

  // 5. Against native, at 2 threads and at 1.
  const native2 = nativeRun(2), native1 = nativeRun(1);
  const d2 = maxDiff(parallel.weights, native2), d1 = maxDiff(one.weights, native1);
  const wasmSplit = maxDiff(parallel.weights, one.weights), nativeSplit = maxDiff(native2, native1);
  check(d2 <= 1e-4, `2 threads: wasm and native --threads 2 weights differ by at most ${d2.toExponential(2)} (limit 1e-4; 1 thread: ${d1.toExponential(2)})`);
  // Rounding only: the shards' sums reassociate, as natively, and by as little.
  check(wasmSplit > 0 && nativeSplit > 0 && wasmSplit <= 10 * nativeSplit && nativeSplit <= 10 * wasmSplit,
        `2 threads differ from 1 in wasm (max ${wasmSplit.toExponential(2)}) as natively (max ${nativeSplit.toExponential(2)}), ` +
        'within a factor of 10');

  // 6. A VAE: eps for the whole batch, before the split.
  const vaeOptions = { model: 'vae', loss: 'bce', latent: 2, hidden: [128], activation: 'relu', beta: 1 };
  const vaeFlags = ['--model', 'vae', '--loss', 'bce', '--latent', '2', '--hidden', '128', '--activation', 'relu'];
  const vae2 = run(two, vaeOptions);
  alone.setThreads(2);
  const vaeSeq = run(alone, vaeOptions);
  single.setThreads(2);
  const vaeSingle = run(single, vaeOptions);
  const vaeNative = nativeRun(2, vaeFlags);
  const dv = maxDiff(vae2.weights, vaeNative);
  check(bitEqual(vae2.weights, vaeSeq.weights) && bitEqual(vae2.weights, vaeSingle.weights) && dv <= 1e-4,
        `VAE on 2 threads: bit-identical to its 2 shards on one thread in both builds, and within ${dv.toExponential(2)} ` +
        'of native --threads 2 (limit 1e-4)');

  // 7. One epoch of MNIST on 2 threads.
  two.start({ epochs: 1, lr: 1e-3, batch: 64, seed: 0, limit: 0 });
  const tasksBefore = two.workerTasks();
  const t0 = performance.now();
  let status = STATUS.running;
  while (status === STATUS.running) status = two.steps(50);
  const seconds = (performance.now() - t0) / 1000;
  const wasmMse = two.progress().testMse;
  const nativeLog = native(['train', '--data', dataDir, '--epochs', '1', '--seed', '0', '--threads', '2',
                            '--out', join(work, 'epoch.lpad')]);
  const nativeMse = Number(/test_mse ([0-9.]+)/.exec(nativeLog)[1]);
  check(status === STATUS.finished && Math.abs(wasmMse - nativeMse) <= 0.03 * nativeMse,
        `one epoch on 2 threads: test MSE ${wasmMse.toFixed(5)} against native --threads 2 ${nativeMse.toFixed(5)} ` +
        `(within 3 %), ${(60000 / seconds).toFixed(0)} images/s under Node; the worker thread ran ` +
        `${two.workerTasks() - tasksBefore} pool tasks`);
} catch (error) {
  check(false, `threw: ${error.stack || error}`);
} finally {
  spawned.forEach((w) => w.terminate());
}

finish();

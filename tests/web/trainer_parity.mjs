// The trainer compiled to wasm (latentpad_trainer.wasm, what the page's
// training worker runs, SIMD128 kernels for all three products) against the
// native trainer (`latentpad train`, Eigen):
//   - 20 steps from the same seed on the same images end with weights that
//     agree to 1e-4 (max abs difference);
//   - one epoch on the full MNIST training set reaches a test MSE within 3 %
//     of the native epoch 1;
//   - the same divergence rule stops a run at learning rate 10.
//
// usage: node trainer_parity.mjs LATENTPAD_TRAINER_WASM LATENTPAD_BINARY MNIST_DIR
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PART, STATUS, instantiateTrainer } from '../../web/page/trainer_module.js';

const [trainerWasm, latentpad, dataDir] = process.argv.slice(2);
if (!dataDir) {
  console.error('usage: node trainer_parity.mjs LATENTPAD_TRAINER_WASM LATENTPAD_BINARY MNIST_DIR');
  process.exit(2);
}
const work = mkdtempSync(join(tmpdir(), 'latentpad-trainer-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

let passed = 0, failed = 0;
function check(ok, message) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${message}`);
  ok ? passed++ : failed++;
}

// Every float32 parameter of an .lpad file (src/formats/model_file.h: a
// 20-byte header, then sections of tag, u32 reserved, u64 length, payload).
function parameters(file) {
  const bytes = new Uint8Array(file);  // a copy: Node's Buffer.slice would share its pool
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sections = view.getUint32(16, true);
  let offset = 20;
  for (let i = 0; i < sections; i++) {
    const tag = new TextDecoder().decode(bytes.subarray(offset, offset + 4));
    const length = Number(view.getBigUint64(offset + 8, true));
    if (tag === 'PARM') return new Float32Array(bytes.slice(offset + 16, offset + 16 + length).buffer);
    offset += 16 + length;
  }
  throw new Error('no PARM section');
}

const native = (args) => execFileSync(latentpad, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const trainer = await instantiateTrainer(readFileSync(trainerWasm));
const files = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
files.forEach((file, part) => trainer.setData(part, readFileSync(join(dataDir, file))));

// 1. Twenty steps: 1,280 images are 20 batches of 64 (one epoch, one thread).
trainer.start({ epochs: 1, lr: 1e-3, batch: 64, seed: 7, limit: 1280 });
let status = STATUS.running, steps = 0;
while (status === STATUS.running) status = trainer.steps(1), steps++;
check(status === STATUS.finished && trainer.progress().step === 20, `20 steps in wasm (status ${status}, ${trainer.progress().step} Adam steps)`);
native(['train', '--data', dataDir, '--limit', '1280', '--epochs', '1', '--batch', '64', '--seed', '7', '--threads', '1',
        '--out', join(work, 'steps.lpad')]);
const ours = parameters(trainer.modelBytes()), theirs = parameters(readFileSync(join(work, 'steps.lpad')));
let worst = 0;
for (let i = 0; i < theirs.length; i++) worst = Math.max(worst, Math.abs(ours[i] - theirs[i]));
let moved = 0;
const init = (() => { trainer.start({ epochs: 1, lr: 1e-3, batch: 64, seed: 7, limit: 1280 }); return parameters(trainer.modelBytes()); })();
for (let i = 0; i < theirs.length; i++) moved = Math.max(moved, Math.abs(theirs[i] - init[i]));
check(ours.length === theirs.length && worst <= 1e-4,
      `after 20 steps the wasm and native weights differ by at most ${worst.toExponential(2)} (limit 1e-4; the steps moved them by up to ${moved.toExponential(2)})`);
check(moved > 10 * 1e-4, 'the 20 steps moved the weights by far more than the tolerance');

// 2. One epoch on all 60,000 training images.
trainer.start({ epochs: 1, lr: 1e-3, batch: 64, seed: 0, limit: 0 });
const t0 = performance.now();
status = STATUS.running;
while (status === STATUS.running) status = trainer.steps(50);
const seconds = (performance.now() - t0) / 1000;
const wasmMse = trainer.progress().testMse;
const nativeLog = native(['train', '--data', dataDir, '--epochs', '1', '--seed', '0', '--threads', '1',
                          '--out', join(work, 'epoch.lpad')]);
const nativeMse = Number(/test_mse ([0-9.]+)/.exec(nativeLog)[1]);
check(status === STATUS.finished && Math.abs(wasmMse - nativeMse) <= 0.03 * nativeMse,
      `one epoch in wasm: test MSE ${wasmMse.toFixed(5)} against native ${nativeMse.toFixed(5)} (within 3 %), ` +
      `${(60000 / seconds).toFixed(0)} images/s under Node`);

// 3. Divergence, as natively: the epoch's loss ends above the untrained model's.
trainer.start({ epochs: 2, lr: 10, batch: 64, seed: 0, limit: 3000 });
status = STATUS.running;
while (status === STATUS.running) status = trainer.steps(50);
check(status === STATUS.diverged && /^training diverged: epoch 1's mean loss/.test(trainer.lastError()),
      `lr 10 diverges in wasm: ${trainer.lastError()}`);

// 4. Bad input is refused with a reason.
let refused = '';
try { trainer.setData(PART.trainImages, new Uint8Array([0, 0, 8, 3, 0, 0])); } catch (error) { refused = error.message; }
check(/truncated/.test(refused), `a truncated IDX file is refused: ${refused}`);

console.log(`trainer parity: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

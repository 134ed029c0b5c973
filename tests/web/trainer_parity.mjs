// The trainer compiled to wasm (latentpad_trainer.wasm, what the page's
// training worker runs, SIMD128 kernels for all three products) against the
// native trainer (`latentpad train`, Eigen):
//   - 20 steps from the same seed on the same images end with weights that
//     agree to 1e-4 (max abs difference);
//   - one epoch on the full MNIST training set reaches a test MSE within 3 %
//     of the native epoch 1;
//   - the same divergence rule stops a run at learning rate 10;
//   - a VAE (BCE + KL) and an autoencoder with a code of 8: 20 steps end
//     with the native weights to 1e-4 and the native epoch's KL term, and the
//     model file says the architecture as `latentpad train`'s does;
//   - impossible settings, and fine-tuning a model of another architecture,
//     are refused with a reason.
//
// usage: node trainer_parity.mjs LATENTPAD_TRAINER_WASM LATENTPAD_BINARY MNIST_DIR
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PART, STATUS, instantiateTrainer } from '../../web/page/trainer_module.js';
import { checker, lpadParameters, mnistParts, runNative } from './trainer_testing.mjs';

const [trainerWasm, latentpad, dataDir] = process.argv.slice(2);
if (!dataDir) {
  console.error('usage: node trainer_parity.mjs LATENTPAD_TRAINER_WASM LATENTPAD_BINARY MNIST_DIR');
  process.exit(2);
}
const work = mkdtempSync(join(tmpdir(), 'latentpad-trainer-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

const { check, finish } = checker('trainer parity');


const native = (args) => runNative(latentpad, args);

const trainer = await instantiateTrainer(readFileSync(trainerWasm));
mnistParts(dataDir).forEach((bytes, part) => trainer.setData(part, bytes));

// 1. Twenty steps: 1,280 images are 20 batches of 64 (one epoch, one thread).
trainer.start({ epochs: 1, lr: 1e-3, batch: 64, seed: 7, limit: 1280 });
let status = STATUS.running, steps = 0;
while (status === STATUS.running) status = trainer.steps(1), steps++;
check(status === STATUS.finished && trainer.progress().step === 20, `20 steps in wasm (status ${status}, ${trainer.progress().step} Adam steps)`);
native(['train', '--data', dataDir, '--limit', '1280', '--epochs', '1', '--batch', '64', '--seed', '7', '--threads', '1',
        '--out', join(work, 'steps.lpad')]);
const ours = lpadParameters(trainer.modelBytes()), theirs = lpadParameters(readFileSync(join(work, 'steps.lpad')));
let worst = 0;
for (let i = 0; i < theirs.length; i++) worst = Math.max(worst, Math.abs(ours[i] - theirs[i]));
let moved = 0;
const init = (() => { trainer.start({ epochs: 1, lr: 1e-3, batch: 64, seed: 7, limit: 1280 }); return lpadParameters(trainer.modelBytes()); })();
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

// 4. Any architecture: twenty steps of a VAE and of a code of 8, each against
// native. Both CLI flags and start()'s options name the same settings.
function twentySteps(name, options, flags) {
  trainer.start({ epochs: 1, lr: 1e-3, batch: 64, seed: 7, limit: 1280, ...options });
  const init = lpadParameters(trainer.modelBytes());
  let s = STATUS.running;
  while (s === STATUS.running) s = trainer.steps(1);
  const p = trainer.progress();
  check(s === STATUS.finished && p.step === 20, `${name}: 20 steps in wasm (status ${s}, ${p.step} Adam steps)`);
  const out = join(work, `${name.replace(/\W+/g, '_')}.lpad`);
  native(['train', '--data', dataDir, '--limit', '1280', '--epochs', '1', '--batch', '64', '--seed', '7',
          '--threads', '1', ...flags, '--out', out]);
  const ours = lpadParameters(trainer.modelBytes()), theirs = lpadParameters(readFileSync(out));
  let diff = 0, move = 0;
  for (let i = 0; i < theirs.length; i++) {
    diff = Math.max(diff, Math.abs(ours[i] - theirs[i]));
    move = Math.max(move, Math.abs(theirs[i] - init[i]));
  }
  check(ours.length === theirs.length && diff <= 1e-4 && move > 10 * 1e-4,
        `${name}: after 20 steps the wasm and native weights (${ours.length} and ${theirs.length}) differ by at most ` +
        `${diff.toExponential(2)} (limit 1e-4; the steps moved them by up to ${move.toExponential(2)})`);
  // The epoch's terms from the native log (<out>.csv: ...,train_recon,train_kl).
  const row = readFileSync(out.replace(/\.lpad$/, '.csv'), 'utf8').trim().split('\n').pop().split(',').map(Number);
  const [nativeRecon, nativeKl] = row.slice(5);
  return { p, nativeRecon, nativeKl, ours: trainer.modelBytes(), out };
}
const info = (bytes) => {
  const file = join(work, 'info.lpad');
  writeFileSync(file, bytes);
  return native(['info', '--weights', file]);
};

const vae = twentySteps('VAE (bce, latent 2, hidden 128, relu)',
                        { model: 'vae', loss: 'bce', latent: 2, hidden: [128], activation: 'relu', beta: 1 },
                        ['--model', 'vae', '--loss', 'bce', '--latent', '2', '--hidden', '128', '--activation', 'relu']);
check(vae.p.vae && vae.p.trainKl > 0 && Math.abs(vae.p.trainKl - vae.nativeKl) <= 1e-4 * Math.max(1, vae.nativeKl) &&
      Math.abs(vae.p.trainRecon - vae.nativeRecon) <= 1e-4 * Math.max(1, vae.nativeRecon),
      `VAE: the epoch's KL term ${vae.p.trainKl?.toFixed(5)} and reconstruction ${vae.p.trainRecon?.toFixed(3)} ` +
      `(native ${vae.nativeKl} and ${vae.nativeRecon}); the last batch's KL ${vae.p.kl?.toFixed(4)}`);
const vaeInfo = info(vae.ours);
check(/^kind +variational autoencoder$/m.test(vaeInfo) && /^latent +2 /m.test(vaeInfo) &&
      /^encoder +784 -> 128 relu -> 4 identity/m.test(vaeInfo) && /meta +loss = bce/.test(vaeInfo) &&
      /meta +activation = relu/.test(vaeInfo) && /meta +hidden = 128$/m.test(vaeInfo) && /meta +beta = 1$/m.test(vaeInfo),
      `VAE: latentpad info on modelBytes(): ${vaeInfo.split('\n').filter((l) => /kind|encoder|loss|activation|hidden|beta/.test(l)).join(' | ')}`);
// The scatter's codes against native `latentpad encode` of the same model,
// modelBytes() (index,label,z0,... : a VAE's mu), for the first test images.
function codesMatch(name, width) {
  const { codes, labels } = trainer.testCodes(1000);
  const out = join(work, 'codes.lpad');
  writeFileSync(out, trainer.modelBytes());
  const rows = native(['encode', '--weights', out, '--data', dataDir, '--count', '20']).trim().split('\n')
    .filter((line) => /^\d/.test(line)).map((line) => line.split(',').map(Number));
  let diff = 0;
  rows.forEach(([index, label, ...z], i) => {
    diff = Math.max(diff, labels[index] === label && z.length === width ? 0 : Infinity);
    z.forEach((v, j) => { diff = Math.max(diff, Math.abs(codes[i * width + j] - v)); });
  });
  check(codes.length === 1000 * width && rows.length === 20 && diff <= 1e-5,
        `${name}: 1,000 test codes ${width} wide (${codes.length} floats); the first 20 match native encode to ${diff.toExponential(1)} (limit 1e-5)`);
}
codesMatch('VAE (the codes are mu)', 2);

const wide = twentySteps('autoencoder with a code of 8', { latent: 8 }, ['--latent', '8']);
check(!wide.p.vae && wide.p.kl === null && wide.p.codeWidth === 8, `code 8: progress says width ${wide.p.codeWidth}, no KL term`);
codesMatch('code 8', 8);
const wideInfo = info(wide.ours);
check(/^kind +autoencoder$/m.test(wideInfo) && /^latent +8$/m.test(wideInfo) && /meta +latent = 8$/m.test(wideInfo),
      `code 8: latentpad info says kind autoencoder, latent 8`);

// 5. Bad settings are refused with a reason, and so is fine-tuning a model
// of another architecture than the settings'.
for (const [options, pattern] of [[{ latent: 0 }, /latent .*from 1 to 256/], [{ hidden: 'abc' }, /hidden must list/],
                                  [{ beta: NaN }, /beta must be a finite number/], [{ model: 'gan' }, /model must be/],
                                  [{ hidden: [64, 0] }, /from 1 to 4096, not 0/], [{ activation: 'sigmoid' }, /activation/]]) {
  let message = '';
  try { trainer.start({ epochs: 1, limit: 64, ...options }); } catch (error) { message = error.message; }
  check(pattern.test(message), `start(${JSON.stringify(options, (k, v) => (Number.isNaN(v) ? 'NaN' : v))}) is refused: ${message}`);
}
trainer.setStartModel(vae.ours);
let mismatch = '';
try { trainer.start({ epochs: 1, limit: 64 }); } catch (error) { mismatch = error.message; }
check(/the loaded model is a 784-128-2 relu variational autoencoder, but the settings ask for a 784-256-128-64-2 tanh autoencoder/.test(mismatch),
      `fine-tuning the VAE as the default autoencoder is refused: ${mismatch}`);
trainer.start({ epochs: 1, limit: 64, model: 'vae', loss: 'bce', hidden: [128], activation: 'relu' });
check(trainer.steps(1000) === STATUS.finished, 'fine-tuning the VAE with its own architecture runs');
trainer.setStartModel(null);

// 6. Bad input is refused with a reason.
let refused = '';
try { trainer.setData(PART.trainImages, new Uint8Array([0, 0, 8, 3, 0, 0])); } catch (error) { refused = error.message; }
check(/truncated/.test(refused), `a truncated IDX file is refused: ${refused}`);

finish();

// Training in the page, end to end in headless Chromium: src/'s trainer in a
// Web Worker (latentpad_trainer.wasm) on the site's gzipped MNIST files.
//   - a short run: the loss falls, the scatter's codes move, the page keeps
//     drawing frames while it trains (it draws the animation frames in which
//     the point moves, while snapshots arrive; how smoothly is a benchmark's
//     business: tools/bench/web_smooth_bench.mjs), and the trained model stays;
//   - Pause and Resume keep the step count; Stop ends the run;
//   - modelBytes() saved to a file gives native `latentpad eval` the test MSE
//     the page reports, and says it was trained in the browser; the page's
//     digits are native's decode of that file;
//   - a short VAE run (hidden 128, ReLU, BCE): the KL term is reported and
//     kept in history(), the loss falls, and native `latentpad info` on
//     modelBytes() names the kind and the architecture; a run with a code of
//     8 trains without breaking the page;
//   - impossible settings, and fine-tuning the loaded model as another
//     architecture, make start() reject with a clear message;
//   - a failed or corrupt training download, and a diverging run, give a clear
//     message, and the page keeps its model.
//
// usage: node train_e2e.mjs SITE_DIR LATENTPAD_BINARY MNIST_DIR
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, nextFrames, startBrowser, trainStatus, waitFor } from './browser.mjs';

const [siteDir, latentpad, dataDir] = process.argv.slice(2);
if (!dataDir) {
  console.error('usage: node train_e2e.mjs SITE_DIR LATENTPAD_BINARY MNIST_DIR');
  process.exit(2);
}
const work = mkdtempSync(join(tmpdir(), 'latentpad-train-e2e-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const { test, open, finish } = await startBrowser(siteDir);

const status = trainStatus;
const steps = (page) => page.evaluate(() => window.latentpad.train.steps());
const codes = async (page) => Array.from(await page.evaluate(() => window.latentpad.scatterCodes()));
const decodeAt = (page, x, y) => page.evaluate(([x, y]) => Array.from(window.latentpad.decode(x, y)), [x, y]);
const maxAbsDiff = (a, b) => a.reduce((worst, v, i) => Math.max(worst, Math.abs(v - b[i])), 0);

await test('a short run trains: the loss falls, the codes move, the page keeps drawing', async (page, problems) => {
  await open(page);
  const before = await codes(page);
  const started = await page.evaluate(() => window.latentpad.train.start({ epochs: 2, limit: 4000, seed: 1 }));
  expect(started.state === 'training', `start() resolved to ${JSON.stringify(started)}`);
  // While the worker trains, the page goes on drawing: the point moves in
  // every animation frame, so every frame has something new to draw, and the
  // page's own frame count must follow the animation frames (both counted in
  // the same frames, so a slow machine slows both alike). Watched until two
  // snapshots have changed the scatter's codes.
  const watched = await page.evaluate(() => new Promise((done) => {
    const api = window.latentpad;
    const first = api.layout().frames;
    let ticks = 0, snapshots = 0, last = api.scatterCodes(), firstSnapshot = null;
    const differs = (a, b) => a.length !== b.length || a.some((v, i) => v !== b[i]);
    const tick = () => {
      ticks++;
      api.setLatent(Math.sin(ticks / 20) * 0.5, Math.cos(ticks / 20) * 0.5);
      const now = api.scatterCodes();
      if (differs(now, last)) snapshots++, (last = now), (firstSnapshot = firstSnapshot || Array.from(now));
      const state = api.train.status().state;
      if (snapshots < 2 && state === 'training' && ticks < 5000) requestAnimationFrame(tick);
      else done({ ticks, frames: api.layout().frames - first, snapshots, state, firstSnapshot });
    };
    requestAnimationFrame(tick);
  }));
  const { ticks, frames: drawn } = watched;
  expect(watched.snapshots === 2, `${watched.snapshots} snapshots changed the scatter's codes while the run trained ` +
         `(${ticks} animation frames watched, the run ${watched.state})`);
  expect(drawn >= 3 && drawn >= ticks / 2, `the page drew ${drawn} frames in the ${ticks} animation frames in which ` +
         `the point moved while the run trained`);
  const during = watched.firstSnapshot;  // the scatter as the run's first snapshot showed it
  const end = await page.evaluate(() => window.latentpad.train.finished());
  expect(end.state === 'done' && end.epoch === 2, `the run ended ${JSON.stringify(end)}`);
  const { losses, testMse } = await page.evaluate(() => window.latentpad.train.history());
  expect(losses.length >= 4 && testMse.length === 2, `history has ${losses.length} loss points and ${testMse.length} test MSEs`);
  const first = losses[0][1], last = losses[losses.length - 1][1];
  expect(last < 0.8 * first, `the training loss went from ${first} to ${last}`);
  // While training, the scatter shows the run's codes of the first 1,000 test
  // images, refreshed a few times a second: they differ from the shipped
  // model's, and they moved between the first snapshot and the end of the run.
  const after = await codes(page);
  expect(during.length === 2000 && after.length === 2000, `the scatter shows ${during.length / 2} and ${after.length / 2} codes`);
  const fromShipped = maxAbsDiff(before.slice(0, 2000), during), moved = maxAbsDiff(during, after);
  expect(fromShipped > 0.1 && moved > 0.01, `the codes moved by at most ${fromShipped} from the shipped model's, then ${moved}`);
  expect(problems.length === 0, problems.join('; '));
  return `${drawn} of ${ticks} animation frames drawn while 2 snapshots arrived, codes moved ${moved.toFixed(3)} after the first snapshot, loss ${first.toFixed(4)} -> ${last.toFixed(4)}, test MSE ${testMse.map(([, v]) => v.toFixed(4)).join(' -> ')}`;
});

await test('the Draw panel\'s meter follows the trained model (its yardstick measured in the decode workers)', async (page, problems) => {
  await open(page);
  await page.evaluate(() => window.latentpad.showPanel('draw'));
  await nextFrames(page, 4);
  const [x, y, w, h] = await page.evaluate(() => window.latentpad.layout().draw_rect);
  await page.mouse.move(x + w * 0.3, y + h * 0.2);
  await page.mouse.down();
  for (let k = 1; k <= 12; k++) await page.mouse.move(x + w * (0.3 + 0.4 * Math.sin(k)), y + h * (0.15 + (0.7 * k) / 12));
  await page.mouse.up();
  await page.evaluate(() => window.latentpad.train.start({ epochs: 1, limit: 2000, seed: 3 }).then(() => window.latentpad.train.finished()));
  // The meter is on screen, so the trained model's yardstick (the bundled test
  // images' reconstruction errors) is asked of the workers; their answer
  // redraws the page. Then the percentile must be the share of those images
  // that reconstruct better than the drawing, under the trained model.
  await new Promise((done) => setTimeout(done, 1500));
  await nextFrames(page);
  const { page: shown, expected, mse } = await page.evaluate(async () => {
    const api = window.latentpad;
    const info = api.drawingInfo(1);
    const bytes = new Uint8Array(await (await fetch('test-images.idx')).arrayBuffer());
    const count = new DataView(bytes.buffer).getUint32(4);
    let below = 0;
    for (let i = 0; i < count; i++) {
      const image = Float32Array.from(bytes.subarray(16 + i * 784, 16 + (i + 1) * 784), (v) => v / 255);
      const code = api.encode(image), recon = api.decode(code.x, code.y);
      let sum = 0;
      for (let j = 0; j < 784; j++) sum += (recon[j] - image[j]) ** 2;
      if (sum / 784 < info.mse) below++;
    }
    return { page: info.percentile, expected: (100 * below) / count, mse: info.mse };
  });
  expect(Math.abs(shown - expected) <= 0.2, `the meter says ${shown} %, the test images put the drawing (MSE ${mse}) at ${expected} %`);
  expect(problems.length === 0, problems.join('; '));
  return `${shown} % (expected ${expected} %)`;
});

await test('pause and resume keep the step count, and stop ends the run', async (page, problems) => {
  await open(page);
  await page.evaluate(() => window.latentpad.train.start({ epochs: 3, limit: 20000 }));
  await waitFor(page, '30 steps', async () => (await steps(page)) >= 30);
  await page.evaluate(() => window.latentpad.train.pause());
  await waitFor(page, 'the paused state', async () => (await status(page)).state === 'paused');
  const paused = await steps(page);
  await new Promise((done) => setTimeout(done, 700));
  const later = await steps(page);
  expect(later === paused, `steps went from ${paused} to ${later} while paused`);
  await page.evaluate(() => window.latentpad.train.resume());
  await waitFor(page, 'training to go on', async () => (await steps(page)) >= paused + 20);
  const stopped = await page.evaluate(() => window.latentpad.train.stop());
  expect(stopped.state === 'done' && /stopped/.test(stopped.message), `stop() gave ${JSON.stringify(stopped)}`);
  const final = await steps(page);
  await new Promise((done) => setTimeout(done, 300));
  expect(await steps(page) === final, 'steps went on after stop()');
  expect(problems.length === 0, problems.join('; '));
  return `paused at ${paused} steps, resumed, stopped at ${final}`;
});

await test('modelBytes() gives native latentpad eval the test MSE the page reports', async (page, problems) => {
  await open(page);
  await page.evaluate(() => window.latentpad.train.start({ epochs: 1, limit: 3000, seed: 4 }));
  const end = await page.evaluate(() => window.latentpad.train.finished());
  expect(end.state === 'done', `the run ended ${JSON.stringify(end)}`);
  const bytes = await page.evaluate(() => Array.from(window.latentpad.train.modelBytes()));
  const file = join(work, 'trained.lpad');
  writeFileSync(file, Buffer.from(bytes));
  const evalOut = execFileSync(latentpad, ['eval', '--weights', file, '--data', dataDir], { encoding: 'utf8' });
  const nativeMse = Number(/test_mse ([0-9.]+)/.exec(evalOut)[1]);
  expect(Math.abs(nativeMse - end.test_mse) <= 2e-6, `native eval says ${nativeMse}, the page ${end.test_mse}`);
  const info = execFileSync(latentpad, ['info', '--weights', file], { encoding: 'utf8' });
  expect(/trained_in = browser/.test(info) && /dataset = mnist/.test(info) && /train_images = 3000/.test(info),
         `the model's metadata: ${info}`);
  const generate = execFileSync(latentpad, ['generate', '--weights', file, '--out', join(work, 'grid.png')], { encoding: 'utf8' });
  expect(/wrote/.test(generate), `generate: ${generate}`);
  // The page's own model is that file: the snapshots after a run's first set
  // only the parameters into it (lp_train_weights), and its digits are
  // native's decode of the file.
  let worst = 0;
  for (const [x, y] of [[0, 0], [0.6, -0.3], [-0.9, 0.8]]) {
    const native = execFileSync(latentpad, ['decode', '--weights', file, `--z=${x},${y}`], { encoding: 'utf8' })
      .trim().split(/[\s,]+/).map(Number);
    worst = Math.max(worst, maxAbsDiff(await decodeAt(page, x, y), native));
  }
  // And the decode workers' (they were handed each snapshot's file).
  const batch = await page.evaluate(async () => Array.from(await window.latentpad.decodeBatch(new Float32Array([0.6, -0.3]))));
  const native = execFileSync(latentpad, ['decode', '--weights', file, '--z=0.6,-0.3'], { encoding: 'utf8' })
    .trim().split(/[\s,]+/).map(Number);
  expect(native.length === 784, `latentpad decode printed ${native.length} values`);
  worst = Math.max(worst, maxAbsDiff(batch, native));
  expect(worst <= 1e-5, `the page's decode differs from native's decode of modelBytes() by ${worst}`);
  expect(problems.length === 0, problems.join('; '));
  return `page ${end.test_mse.toFixed(6)}, native ${nativeMse.toFixed(6)}; decode within ${worst.toExponential(1)}`;
});

await test('a short VAE run reports its KL term, the loss falls, and modelBytes() is that VAE', async (page, problems) => {
  await open(page);
  const settings = { epochs: 2, limit: 4000, seed: 1, model: 'vae', beta: 1, latent: 2, hidden: [128], activation: 'relu', loss: 'bce' };
  const started = await page.evaluate((o) => window.latentpad.train.start(o), settings);
  expect(started.state === 'training', `start() resolved to ${JSON.stringify(started)}`);
  // The first report while it trains (watched in the page: a small VAE's
  // epoch takes under a second).
  const during = await page.evaluate(() => new Promise((done) => {
    const look = () => {
      const s = window.latentpad.train.status();
      if (s.state !== 'training' || s.train_kl !== null) done(s);
      else requestAnimationFrame(look);
    };
    look();
  }));
  expect(during.state === 'training' && during.train_kl > 0 && during.train_recon > 0 && Math.abs(during.train_recon + during.train_kl - during.train_loss) < 1e-3 * during.train_loss,
         `while training: loss ${during.train_loss} = recon ${during.train_recon} + KL ${during.train_kl}`);
  const end = await page.evaluate(() => window.latentpad.train.finished());
  expect(end.state === 'done' && end.epoch === 2 && end.train_kl > 0 && end.train_recon > 0,
         `the run ended ${JSON.stringify(end)}`);
  const { losses, kl, recon } = await page.evaluate(() => window.latentpad.train.history());
  expect(losses.length >= 4 && kl.length === losses.length && recon.length === losses.length && kl.every(([, v]) => v > 0),
         `history has ${losses.length} loss points, ${kl.length} KL and ${recon.length} reconstruction points`);
  const first = losses[0][1], last = losses[losses.length - 1][1];
  expect(last < 0.8 * first, `the training loss went from ${first} to ${last}`);
  const file = join(work, 'vae.lpad');
  writeFileSync(file, Buffer.from(await page.evaluate(() => Array.from(window.latentpad.train.modelBytes()))));
  const info = execFileSync(latentpad, ['info', '--weights', file], { encoding: 'utf8' });
  expect(/^kind +variational autoencoder$/m.test(info) && /^latent +2 /m.test(info) &&
         /^encoder +784 -> 128 relu -> 4 identity/m.test(info) && /^decoder +2 -> 128 relu -> 784 sigmoid/m.test(info) &&
         /meta +hidden = 128$/m.test(info) && /meta +activation = relu$/m.test(info) && /meta +loss = bce$/m.test(info) &&
         /meta +beta = 1$/m.test(info) && /meta +trained_in = browser/.test(info), `latentpad info: ${info}`);
  // The Train panel shows both terms of the run's loss.
  await page.evaluate(() => window.latentpad.showPanel('train'));
  await nextFrames(page, 3);
  expect(problems.length === 0, problems.join('; '));
  return `loss ${first.toFixed(1)} -> ${last.toFixed(1)} per image, KL ${end.train_kl.toFixed(2)}, recon ${end.train_recon.toFixed(1)}; ` +
         info.split('\n').filter((l) => /^(kind|encoder)/.test(l)).join(' | ');
});

await test('a code of 8 trains in the page, which shows it on the PCA plane of its test codes', async (page, problems) => {
  await open(page);
  const before = await decodeAt(page, 0.2, 0.1);
  await page.evaluate(() => window.latentpad.train.start({ epochs: 1, limit: 1500, seed: 5, latent: 8 }));
  const end = await page.evaluate(() => window.latentpad.train.finished());
  expect(end.state === 'done' && end.train_kl === null && end.test_mse > 0, `the run ended ${JSON.stringify(end)}`);
  const file = join(work, 'wide.lpad');
  writeFileSync(file, Buffer.from(await page.evaluate(() => Array.from(window.latentpad.train.modelBytes()))));
  const info = execFileSync(latentpad, ['info', '--weights', file], { encoding: 'utf8' });
  expect(/^kind +autoencoder$/m.test(info) && /^latent +8$/m.test(info), `latentpad info: ${info}`);
  await nextFrames(page, 3);
  const after = await decodeAt(page, 0.2, 0.1);
  expect(after.length === 784 && after.every(Number.isFinite), 'the page no longer decodes');
  // The trained model is the page's: an 8-D code, its scatter the run's 1,000
  // codes of 8 numbers, the pad their PCA plane; a whole code decodes as
  // native decodes the saved file.
  const shown = await page.evaluate(() => ({ latent: window.latentpad.model().latent, scatter: window.latentpad.scatterCodes().length,
                                              plane: window.latentpad.plane().pca, code: Array.from(window.latentpad.code()) }));
  expect(shown.latent === 8 && shown.scatter === 8000 && shown.plane === true && shown.code.length === 8,
         `the page shows ${JSON.stringify(shown)}`);
  const z = [0.3, -0.2, 0.1, 0, 0.5, -0.4, 0.2, -0.1];
  const pixels = await page.evaluate((code) => Array.from(window.latentpad.decode(code)), z);
  const native = execFileSync(latentpad, ['decode', '--weights', file, `--z=${z.join(',')}`], { encoding: 'utf8' }).trim().split(/\s+/).map(Number);
  const worst = maxAbsDiff(pixels, native);
  expect(worst <= 1e-5, `the page's decode of an 8-D code differs from native's by ${worst}`);
  expect(problems.length === 0, problems.join('; '));
  return `test MSE ${end.test_mse.toFixed(4)}; 8-D on its PCA plane, decode within ${worst.toExponential(1)} of native`;
});

await test('impossible settings, and fine-tuning as another architecture, are refused by start()', async (page, problems) => {
  await open(page);
  const refusals = [];
  for (const [options, pattern] of [[{ latent: 0 }, /latent \(the code width\) must be a whole number from 1 to 256, not 0/],
                                    [{ hidden: 'abc' }, /hidden must list whole layer sizes.*not 'abc'/],
                                    [{ beta: NaN }, /beta must be a finite number >= 0, not NaN/],
                                    [{ model: 'vae', activation: 'sigmoid' }, /activation must be 'tanh' or 'relu'/]]) {
    const message = await page.evaluate((o) => window.latentpad.train.start(o).then(
      (s) => `resolved ${JSON.stringify(s)}`, (error) => error.message), { epochs: 1, ...options });
    expect(pattern.test(message), `start(${Object.keys(options).join(', ')}) gave: ${message}`);
    refusals.push(message);
  }
  // The shipped model is a 2-D autoencoder: fine-tuning it as a VAE cannot start,
  // and the Train panel says why (the run's status carries the message).
  const message = await page.evaluate(() => window.latentpad.train.start({ epochs: 1, fromCurrent: true, model: 'vae' }).then(
    (s) => `resolved ${JSON.stringify(s)}`, (error) => error.message));
  expect(/cannot start: the loaded model is a 784-256-128-64-2 tanh autoencoder, but the settings ask for a 784-256-128-64-2 tanh variational autoencoder/.test(message),
         `fine-tuning as a VAE gave: ${message}`);
  const shown = await status(page);
  expect(shown.state === 'failed' && shown.message === message && (await steps(page)) === 0,
         `after the refusal the status is ${JSON.stringify(shown)}`);
  expect(problems.length === 0, problems.join('; '));
  return [...refusals, message].join(' | ');
});

await test('a failed or corrupt training download is reported and the page keeps its model', async (page, problems) => {
  await open(page);
  const before = await decodeAt(page, 0.3, -0.2);
  await page.route('**/train/mnist/train-images-idx3-ubyte.gz', (route) => route.fulfill({ status: 404, body: 'gone' }));
  const missing = await page.evaluate(() => window.latentpad.train.start({ epochs: 1 }));
  expect(missing.state === 'failed' && /could not download train\/mnist\/train-images-idx3-ubyte\.gz: HTTP 404/.test(missing.message),
         `a missing file gave ${JSON.stringify(missing)}`);
  await page.unroute('**/train/mnist/train-images-idx3-ubyte.gz');
  const cut = readFileSync(join(siteDir, 'train/mnist/train-images-idx3-ubyte.gz')).subarray(0, 200000);
  await page.route('**/train/mnist/train-images-idx3-ubyte.gz', (route) => route.fulfill({ status: 200, body: cut }));
  const corrupt = await page.evaluate(() => window.latentpad.train.start({ epochs: 1 }));
  expect(corrupt.state === 'failed' && /train-images-idx3-ubyte\.gz is corrupt or truncated/.test(corrupt.message),
         `a truncated file gave ${JSON.stringify(corrupt)}`);
  await nextFrames(page);
  expect(maxAbsDiff(before, await decodeAt(page, 0.3, -0.2)) === 0, 'the model changed');
  const unexpected = problems.filter((problem) => !/404/.test(problem));
  expect(unexpected.length === 0, unexpected.join('; '));
  return `${missing.message} | ${corrupt.message}`;
});

await test('stop during the download ends the run before any step and keeps the model', async (page, problems) => {
  await open(page);
  const before = await decodeAt(page, 0.1, 0.6);
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route('**/train/mnist/train-images-idx3-ubyte.gz', async (route) => { await held; await route.continue(); });
  await page.evaluate(() => { window.runStarted = window.latentpad.train.start({ epochs: 1 }); });
  await waitFor(page, 'the download to begin', async () => (await status(page)).state === 'downloading');
  const stopping = page.evaluate(() => window.latentpad.train.stop());
  await new Promise((done) => setTimeout(done, 200));
  release();
  const stopped = await stopping;
  await page.evaluate(() => window.runStarted);
  expect(stopped.state === 'idle' && /before the first step/.test(stopped.message), `stop() gave ${JSON.stringify(stopped)}`);
  expect(await steps(page) === 0, 'steps were taken');
  await nextFrames(page);
  expect(maxAbsDiff(before, await decodeAt(page, 0.1, 0.6)) === 0, 'the model changed');
  expect(problems.length === 0, problems.join('; '));
  return stopped.message;
});

await test('a diverging run says so and the previous model stays', async (page, problems) => {
  await open(page);
  const before = await decodeAt(page, -0.4, 0.1);
  await page.evaluate(() => window.latentpad.train.start({ epochs: 2, limit: 30000, lr: 10 }));
  // Let a snapshot of the diverging run become the page's model first, so the
  // check below sees the previous model put back, not merely never replaced.
  await waitFor(page, 'a snapshot of the run', async () => (await steps(page)) > 0);
  expect(maxAbsDiff(before, await decodeAt(page, -0.4, 0.1)) > 0, 'the run never became the page\'s model');
  const end = await page.evaluate(() => window.latentpad.train.finished());
  expect(end.state === 'diverged' && /diverged/.test(end.message) && /lower learning rate/.test(end.message),
         `the run ended ${JSON.stringify(end)}`);
  await nextFrames(page);
  expect(maxAbsDiff(before, await decodeAt(page, -0.4, 0.1)) === 0, 'the page kept the diverged model');
  expect(problems.length === 0, problems.join('; '));
  return end.message;
});

await finish('train e2e');

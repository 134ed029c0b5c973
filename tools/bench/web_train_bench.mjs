// Training and inference in headless Chromium, LatentPad against
// TensorFlow.js 4.22's wasm backend (its fastest here: SIMD, one thread
// without cross-origin isolation), in one browser session, interleaved, so
// the machine's swings hit both alike. Prints figures only; nothing is asserted.
//
//   - training images/s: LatentPad's training worker (latentpad.train) on one
//     thread and on two (the page is served cross-origin isolated, so
//     threads: 2 runs latentpad_trainer_mt with a worker thread) and TF.js
//     model.fit (its wasm backend held to one thread, as on a plain host, the
//     ~1,000 images/s baseline) on the same 784-256-128-64-2 autoencoder, Adam
//     1e-3, batch 64, MSE; the median of 3 alternating runs each; beside them
//     the native trainer's images/s at --threads 1 and 2 on the same images,
//     in the same rounds; and one whole MNIST epoch in the page on two threads
//     (start() resolved to finished(): training, the epoch's test MSE, the last
//     snapshot);
//   - the page's frame interval while LatentPad trains, against idle (both
//     with the point moving every frame, so the page draws each frame): the
//     median, the p95 and the long tasks (over 50 ms), and what each training
//     snapshot cost the main thread (tools/bench/web_smooth_bench.mjs has more);
//   - decoding 1 and 1,024 codes on the main thread: the page's decoder
//     (latentpad.benchDecode) and a TF.js decoder of the same shape, alternating.
//
// usage: node web_train_bench.mjs SITE_DIR TFJS_NODE_MODULES [LATENTPAD_BINARY MNIST_DIR]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, symlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServer } from '../lib/serve.mjs';
import { formatSmoothness, formatSnapshots, frameInterval, smoothness } from './frames.mjs';

const { chromium } = await import(new URL('../node_modules/playwright-core/index.mjs', import.meta.url));
const [siteDir, tfjsModules, latentpadBinary, mnistDir] = process.argv.slice(2);
if (!tfjsModules) {
  console.error('usage: node web_train_bench.mjs SITE_DIR TFJS_NODE_MODULES [LATENTPAD_BINARY MNIST_DIR]');
  process.exit(2);
}

// The site plus TF.js's files under tfjs/, served from one origin.
const root = mkdtempSync(join(tmpdir(), 'latentpad-bench-'));
process.on('exit', () => rmSync(root, { recursive: true, force: true }));
for (const name of readdirSync(siteDir)) symlinkSync(resolve(siteDir, name), join(root, name));
mkdirSync(join(root, 'tfjs'));
const tfDist = join(tfjsModules, '@tensorflow/tfjs/dist'), wasmDist = join(tfjsModules, '@tensorflow/tfjs-backend-wasm/dist');
symlinkSync(resolve(tfDist, 'tf.min.js'), join(root, 'tfjs/tf.min.js'));
for (const name of readdirSync(wasmDist).filter((n) => n.endsWith('.wasm') || n === 'tf-backend-wasm.min.js'))
  symlinkSync(resolve(wasmDist, name), join(root, 'tfjs', name));

const server = await startServer(root, 0);
const browser = await chromium.launch({
  executablePath: process.env.LATENTPAD_CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-unsafe-swiftshader'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
await page.goto(`http://127.0.0.1:${server.address().port}/`);
await page.evaluate(() => window.latentpad.ready);
await page.addScriptTag({ url: 'tfjs/tf.min.js' });
await page.addScriptTag({ url: 'tfjs/tf-backend-wasm.min.js' });
// The page is cross-origin isolated (for LatentPad's threads), where TF.js's
// wasm backend would pick its threaded build: held to one thread, the
// baseline of a plain static host.
const backend = await page.evaluate(async () => {
  tf.wasm.setWasmPaths('tfjs/');
  if (tf.wasm.setThreadsCount) tf.wasm.setThreadsCount(1);
  await tf.setBackend('wasm');
  await tf.ready();
  const threads = tf.backend().getThreadsCount ? tf.backend().getThreadsCount() : tf.wasm.getThreadsCount?.();
  return `${tf.getBackend()} ${tf.version.tfjs}, ${threads ?? '?'} thread(s), page isolated: ${self.crossOriginIsolated}`;
});
const median = (values) => values.slice().sort((a, b) => a - b)[values.length >> 1];

// TF.js: the same autoencoder, trained with model.fit on `images` of the
// page's bundled test images (speed does not depend on which images).
await page.evaluate(() => {
  const dense = (units, activation, inputShape) => tf.layers.dense({ units, activation, inputShape });
  window.tfBench = {
    autoencoder() {
      const model = tf.sequential();
      model.add(dense(256, 'tanh', [784]));
      for (const [units, act] of [[128, 'tanh'], [64, 'tanh'], [2, 'tanh'], [64, 'tanh'], [128, 'tanh'], [256, 'tanh'], [784, 'sigmoid']])
        model.add(dense(units, act));
      model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
      return model;
    },
    async train(images) {
      const model = this.autoencoder();
      const data = new Float32Array(images * 784).map((_, i) => ((i * 2654435761) >>> 24) / 255);
      const x = tf.tensor2d(data, [images, 784]);
      await model.fit(x, x, { batchSize: 64, epochs: 1, shuffle: true, verbose: 0 });  // warm-up epoch
      const t0 = performance.now();
      await model.fit(x, x, { batchSize: 64, epochs: 1, shuffle: true, verbose: 0 });
      const seconds = (performance.now() - t0) / 1000;
      x.dispose();
      model.dispose();
      return images / seconds;
    },
    decoder() {
      const model = tf.sequential();
      model.add(dense(64, 'tanh', [2]));
      for (const [units, act] of [[128, 'tanh'], [256, 'tanh'], [784, 'sigmoid']]) model.add(dense(units, act));
      return model;
    },
    // Milliseconds per decode of `count` codes, mean of `repeats`, data read back.
    decode(model, count, repeats) {
      const codes = tf.tensor2d(new Float32Array(2 * count).map((_, i) => Math.sin(i)), [count, 2]);
      const t0 = performance.now();
      for (let r = 0; r < repeats; r++) {
        const y = model.predict(codes);
        y.dataSync();
        y.dispose();
      }
      codes.dispose();
      return (performance.now() - t0) / repeats;
    },
  };
});

// LatentPad: a run in the training worker; images/s from the steps counted
// between the first progress report and the last one.
async function latentpadTrain(images, threads) {
  return page.evaluate(async ([images, threads]) => {
    const started = await window.latentpad.train.start({ epochs: 1, limit: images, seed: 1, threads });
    if (started.threads !== threads) throw new Error(`asked for ${threads} threads, the run has ${started.threads}: ${started.message}`);
    const samples = [];
    while (window.latentpad.train.status().state === 'training') {
      samples.push([performance.now(), window.latentpad.train.steps()]);
      await new Promise((done) => setTimeout(done, 100));
    }
    const moving = samples.filter(([, steps], i) => i > 0 && steps > samples[0][1]);
    const [t0, s0] = samples.find(([, steps]) => steps > 0), [t1, s1] = moving[moving.length - 1];
    return ((s1 - s0) * 64) / ((t1 - t0) / 1000);
  }, [images, threads]);
}

// The native trainer on the same number of images: the images/s it prints.
function nativeTrain(images, threads) {
  if (!latentpadBinary) return NaN;
  const out = join(root, `native-${threads}.lpad`);
  const log = execFileSync(latentpadBinary, ['train', '--data', mnistDir, '--epochs', '1', '--limit', String(images),
                                             '--seed', '1', '--threads', String(threads), '--out', out, '--force'],
                           { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return Number(/([0-9.]+) img\/s/.exec(log)[1]);
}


console.log(`tfjs_backend ${backend}`);
// Data first, so the runs below time training, not downloading.
await page.evaluate(() => window.latentpad.train.start({ epochs: 1, limit: 640, threads: 1 }).then(() => window.latentpad.train.finished()));
const ours = [], ours2 = [], theirs = [], native1 = [], native2 = [];
for (let round = 0; round < 3; round++) {
  theirs.push(await page.evaluate(() => window.tfBench.train(3200)));
  // Whole epochs (60,000 images): the images/s come from the progress reports
  // (every 0.4 s), which a shorter run makes coarse.
  ours.push(await latentpadTrain(60000, 1));
  ours2.push(await latentpadTrain(60000, 2));
  native1.push(nativeTrain(60000, 1));
  native2.push(nativeTrain(60000, 2));
}
const runs = (values) => `(runs ${values.map((v) => v.toFixed(0)).join(' ')})`;
console.log(`train_images_per_s latentpad 1 thread ${median(ours).toFixed(0)} ${runs(ours)}`);
console.log(`train_images_per_s latentpad 2 threads ${median(ours2).toFixed(0)} ${runs(ours2)}`);
console.log(`train_images_per_s tfjs_wasm ${median(theirs).toFixed(0)} ${runs(theirs)}`);
if (latentpadBinary) {
  console.log(`train_images_per_s native 1 thread ${median(native1).toFixed(0)} ${runs(native1)}, ` +
              `the page at 1 thread is ${(median(ours) / median(native1)).toFixed(2)}x native`);
  console.log(`train_images_per_s native 2 threads ${median(native2).toFixed(0)} ${runs(native2)}, ` +
              `the page at 2 threads is ${(median(ours2) / median(native2)).toFixed(2)}x native`);
}
console.log(`train_speedup 1 thread ${(median(ours) / median(theirs)).toFixed(2)}x (goal 10x; an MNIST epoch: ` +
            `${(60000 / median(ours)).toFixed(1)} s against ${(60000 / median(theirs)).toFixed(1)} s)`);
console.log(`train_speedup 2 threads ${(median(ours2) / median(theirs)).toFixed(2)}x (goal 16x; an MNIST epoch: ` +
            `${(60000 / median(ours2)).toFixed(1)} s)`);
// One whole MNIST epoch in the page on two threads (the data are already in
// the worker: start() resolves once the run trains).
const epoch = await page.evaluate(async () => {
  await window.latentpad.train.start({ epochs: 1, limit: 640, threads: 2 }).then(() => window.latentpad.train.finished());
  const started = await window.latentpad.train.start({ epochs: 1, limit: 0, seed: 1, threads: 2 });
  const t0 = performance.now();
  const end = await window.latentpad.train.finished();
  return { seconds: (performance.now() - t0) / 1000, threads: started.threads, state: end.state, mse: end.test_mse };
});
console.log(`mnist_epoch_in_page ${epoch.seconds.toFixed(2)} s on ${epoch.threads} threads (goal under 4 s; ${epoch.state}, ` +
            `test MSE ${epoch.mse?.toFixed(5)})`);

const idle = await frameInterval(page);
const idleSmooth = await smoothness(page, 5000);
await page.evaluate(() => window.latentpad.train.start({ epochs: 1, threads: 1 }));
const training = await frameInterval(page);
await page.evaluate(() => window.latentpad.benchSnapshots({ reset: true }));
const trainingSmooth = await smoothness(page, 5000);
const snapshots = await page.evaluate(() => window.latentpad.benchSnapshots({ reset: true }));
await page.evaluate(() => window.latentpad.train.stop());
console.log(`frame_interval_ms idle ${idle.toFixed(1)}, while training ${training.toFixed(1)} (${(training / idle).toFixed(2)}x)`);
console.log(formatSmoothness('smooth idle', idleSmooth));
console.log(formatSmoothness('smooth training', trainingSmooth) + ` (p95 ${(trainingSmooth.p95 / idleSmooth.p95).toFixed(2)}x idle)`);
console.log(formatSnapshots(snapshots));

await page.evaluate(() => { window.tfDecoder = window.tfBench.decoder(); window.tfBench.decode(window.tfDecoder, 1024, 3); });
for (const count of [1, 1024]) {
  const repeats = count === 1 ? 200 : 10;
  const a = [], b = [];
  for (let round = 0; round < 5; round++) {
    a.push(await page.evaluate(([c, r]) => window.latentpad.benchDecode(c, r), [count, repeats]));
    b.push(await page.evaluate(([c, r]) => window.tfBench.decode(window.tfDecoder, c, r), [count, repeats]));
  }
  console.log(`decode_ms batch ${String(count).padStart(4)}: latentpad ${median(a).toFixed(3)}, tfjs_wasm ${median(b).toFixed(3)} ` +
              `(${(median(b) / median(a)).toFixed(2)}x, main thread, medians of 5 alternating rounds)`);
}
await browser.close();
server.close();

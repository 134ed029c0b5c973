// Browser-side figures for the demo, printed (never asserted):
//   - native single-thread decode throughput (decode_bench), the reference;
//   - decode throughput in headless Chromium, batch 1, 81 (9x9) and 1024
//     (32x32), on the page's main thread and through its decode workers;
//   - the interval between the page's frames while the point moves;
//   - the page's own 32x32 manifold, from request to texture;
//   - time from navigation to the first decoded digit on screen;
//   - page weight, every site file gzip-compressed;
//   - SIMD128 against scalar wasm, both under Node, when both modules are given,
//     and the relaxed-SIMD (FMA) build beside them when it is given too (Node
//     runs it only with --experimental-wasm-relaxed-simd).
// usage: node [--experimental-wasm-relaxed-simd] web_bench.mjs SITE_DIR WEIGHTS DECODE_BENCH
//             [SIMD_WASM SCALAR_WASM [RELAXED_WASM]]
import { frameInterval } from './frames.mjs';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startServer } from '../lib/serve.mjs';
import { instantiateModel } from '../../web/page/model_module.js';

const { chromium } = await import(new URL('../node_modules/playwright-core/index.mjs', import.meta.url));
const [siteDir, weights, decodeBench, simdWasm, scalarWasm, relaxedWasm] = process.argv.slice(2);

// Native single-thread decoding: the reference for the ratios below.
const native = {};
for (const line of execFileSync(decodeBench, [weights], { encoding: 'utf8' }).trim().split('\n')) {
  console.log(line);
  const [, count, rate] = line.match(/batch +(\d+):.* ([\d.]+) digits\/s/);
  native[count] = Number(rate);
}
const ofNative = (count, rate) => `${(100 * rate / native[count]).toFixed(0).padStart(3)}% of native`;

// Page weight: what a first visit downloads. Training fetches the rest only
// when a run starts (the trainer, its worker and the train/ data sets; the
// threaded trainer, its thread workers' script and trainer_threads.js), and
// Fashion-MNIST's model and test data (fashion/) when the page switches to it,
// and the PyTorch importer when a user loads a .pth or .safetensors file.
// The decode workers' model module comes in two builds, of which a page
// fetches one (web/page/support.js): the relaxed-SIMD one where the browser
// has it (Chromium, Firefox), counted here, the SIMD128 one elsewhere (Safari).
const ON_DEMAND = new Set(['train', 'fashion', 'vae', 'latentpad_trainer.wasm', 'latentpad_trainer_relaxed.wasm',
                           'latentpad_trainer_mt.wasm', 'latentpad_trainer_mt_relaxed.wasm', 'trainer_threads.js',
                           'thread_worker.js', 'train_worker.js', 'trainer_module.js', 'latentpad_import.wasm',
                           'import_module.js']);
const OTHER_BUILD = { 'latentpad_model.wasm': 'latentpad_model_relaxed.wasm' };
const gzipped = (name) => gzipSync(readFileSync(join(siteDir, name)), { level: 9 }).length;
let total = 0;
for (const name of readdirSync(siteDir).sort().filter((n) => !ON_DEMAND.has(n))) {
  const size = gzipped(name);
  if (OTHER_BUILD[name]) {
    console.log(`page_file ${name}: ${(size / 1024).toFixed(0)} KiB gzipped (instead of ${OTHER_BUILD[name]} without relaxed SIMD)`);
    continue;
  }
  total += size;
  console.log(`page_file ${name}: ${(size / 1024).toFixed(0)} KiB gzipped`);
}
console.log(`page_weight_gzip_mb ${(total / 1e6).toFixed(3)} (with relaxed SIMD; without: ` +
            `${((total - gzipped('latentpad_model_relaxed.wasm') + gzipped('latentpad_model.wasm')) / 1e6).toFixed(3)})`);

// Chromium: first digit and decode throughput.
const server = await startServer(siteDir, 0);
const url = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({
  executablePath: process.env.LATENTPAD_CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-unsafe-swiftshader'],
});
const firsts = [];
for (let run = 0; run < 3; run++) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(url);
  // ready resolves after the model is loaded; the digit is drawn in the next
  // animation frame. Measured from navigationStart on the page's own clock.
  const ms = await page.evaluate(async () => {
    await window.latentpad.ready;
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    return performance.now();
  });
  firsts.push(ms);
  if (run < 2) await page.close();
  else {
    await page.waitForTimeout(500);  // let the page go idle
    for (const count of [1, 81, 1024]) {
      const repeats = count === 1 ? 500 : 10;
      await page.evaluate(({ count }) => window.latentpad.benchDecode(count, 2), { count });  // warm up
      const ms = await page.evaluate(({ count, repeats }) => window.latentpad.benchDecode(count, repeats), { count, repeats });
      const rate = count / ms * 1000;
      console.log(`chromium_decode batch ${String(count).padStart(4)}: ${ms.toFixed(3).padStart(8)} ms, ${rate.toFixed(0).padStart(8)} digits/s (main thread) ${ofNative(count, rate)}`);
    }
    const workers = await page.evaluate(() => window.latentpad.decodeWorkers());
    for (const count of [81, 1024]) {
      await page.evaluate(({ count }) => window.latentpad.benchDecodeBatch(count, 3), { count });  // warm up
      const ms = await page.evaluate(({ count }) => window.latentpad.benchDecodeBatch(count, 21), { count });
      const rate = count / ms * 1000;
      console.log(`chromium_decode batch ${String(count).padStart(4)}: ${ms.toFixed(3).padStart(8)} ms, ${rate.toFixed(0).padStart(8)} digits/s (${workers} workers) ${ofNative(count, rate)}`);
    }
    // The same 1,024 in the workers while the page draws one frame (a new
    // digit): software WebGL competes with them for the two cores.
    const contended = await page.evaluate(() => window.latentpad.benchDecodeBatch(1024, 11, { drawing: true }));
    console.log(`chromium_decode batch 1024: ${contended.toFixed(3).padStart(8)} ms while the page draws a frame (${workers} workers, median of 11)`);
    // What one frame of the page costs.
    const frameMs = await frameInterval(page);
    console.log(`chromium_frame_interval ${frameMs.toFixed(1)} ms while the point moves every frame (median)`);
    await page.waitForTimeout(300);
    await page.evaluate(() => window.latentpad.benchManifold(32, 3));  // warm up
    const manifold = await page.evaluate(() => window.latentpad.benchManifold(32, 21));
    console.log(`chromium_manifold 32x32: ${manifold.ms.toFixed(1)} ms from request to texture, median of 21 (${manifold.workers} workers)`);
  }
}
console.log(`first_digit_ms ${firsts.map((v) => v.toFixed(0)).join(' ')} (median ${firsts.sort((a, b) => a - b)[1].toFixed(0)})`);
await browser.close();
server.close();

// SIMD128 vs scalar wasm, same code, same codes, under Node.
if (simdWasm && scalarWasm) {
  const rates = {};
  const count = 1024;
  const codes = new Float32Array(2 * count).map((_, i) => (i % 2 ? 1 - 2 * ((i >> 1) % 89) / 88 : -1 + 2 * ((i >> 1) % 97) / 96));
  const builds = [['simd128', simdWasm], ['scalar', scalarWasm]];
  if (relaxedWasm) builds.push(['relaxed', relaxedWasm]);
  for (const [label, file] of builds) {
    const model = await instantiateModel(readFileSync(file));
    const error = model.load(readFileSync(weights));
    if (error) throw new Error(`cannot load ${weights}: ${error}`);
    // Warm up until V8 has its optimised code in place, then the median of 9.
    for (let r = 0; r < 5; r++) model.decode(codes);
    const times = [];
    for (let r = 0; r < 9; r++) {
      const t0 = performance.now();
      model.decode(codes);
      times.push(performance.now() - t0);
    }
    rates[label] = count / (times.sort((a, b) => a - b)[4] / 1000);
    console.log(`node_decode ${label} (${model.kernel()}): ${rates[label].toFixed(0)} digits/s`);
  }
  console.log(`simd_speedup ${(rates.simd128 / rates.scalar).toFixed(2)}x`);
  if (relaxedWasm) console.log(`relaxed_speedup ${(rates.relaxed / rates.simd128).toFixed(2)}x over simd128 (Node)`);
}

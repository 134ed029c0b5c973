// Single-thread decoding in headless Chromium: the decode workers' model
// module in both builds (latentpad_model.wasm, SIMD128; latentpad_model_relaxed.wasm,
// relaxed-SIMD fused multiply-add) against TensorFlow.js 4.22's wasm backend
// and ONNX Runtime Web's wasm backend (SIMD, one thread: the page is not
// cross-origin isolated), all in one page on its main thread, alternating
// round by round so the machine's swings hit all alike. Batches of 1, 81
// (9x9) and 1,024 (32x32) codes; each figure is the median of the rounds'
// milliseconds per decode, the decoded pixels read back into JavaScript.
// Prints figures only; nothing is asserted.
//
// LatentPad and ONNX Runtime run the same weights (DECODER_ONNX is `latentpad
// export --format onnx --part decoder` of the site's model.lpad); TF.js runs a
// decoder of the same shape (2-64-128-256-784, tanh, sigmoid) with its own
// random weights, which costs the same.
//
// usage: node web_decode_bench.mjs SITE_DIR TFJS_NODE_MODULES ORT_NODE_MODULES DECODER_ONNX
import { mkdtempSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServer } from '../lib/serve.mjs';

const { chromium } = await import(new URL('../node_modules/playwright-core/index.mjs', import.meta.url));
const [siteDir, tfjsModules, ortModules, decoderOnnx] = process.argv.slice(2);
if (!decoderOnnx) {
  console.error('usage: node web_decode_bench.mjs SITE_DIR TFJS_NODE_MODULES ORT_NODE_MODULES DECODER_ONNX');
  process.exit(2);
}

// The site, TF.js under tfjs/, ONNX Runtime Web under ort/ and the decoder,
// served from one origin.
const root = mkdtempSync(join(tmpdir(), 'latentpad-decode-bench-'));
process.on('exit', () => rmSync(root, { recursive: true, force: true }));
for (const name of readdirSync(siteDir)) symlinkSync(resolve(siteDir, name), join(root, name));
mkdirSync(join(root, 'tfjs'));
const tfDist = join(tfjsModules, '@tensorflow/tfjs/dist'), tfWasmDist = join(tfjsModules, '@tensorflow/tfjs-backend-wasm/dist');
symlinkSync(resolve(tfDist, 'tf.min.js'), join(root, 'tfjs/tf.min.js'));
for (const name of readdirSync(tfWasmDist).filter((n) => n === 'tf-backend-wasm.min.js' || n.endsWith('.wasm'))) {
  symlinkSync(resolve(tfWasmDist, name), join(root, 'tfjs', name));
}
mkdirSync(join(root, 'ort'));
const ortDist = join(ortModules, 'onnxruntime-web/dist');
for (const name of ['ort.wasm.min.js', 'ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.mjs']) {
  symlinkSync(resolve(ortDist, name), join(root, 'ort', name));
}
symlinkSync(resolve(decoderOnnx), join(root, 'decoder.onnx'));
writeFileSync(join(root, 'decode_bench.html'), '<!doctype html><title>decode bench</title>\n');

// Not cross-origin isolated (no COOP/COEP headers): every engine on one thread,
// as on a plain static host.
const server = await startServer(root, 0, '127.0.0.1', { isolated: false });
const browser = await chromium.launch({
  executablePath: process.env.LATENTPAD_CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage();
page.on('console', (message) => { if (message.type() === 'error') console.log(`page: ${message.text()}`); });
await page.goto(`http://127.0.0.1:${server.address().port}/decode_bench.html`);
await page.addScriptTag({ url: 'tfjs/tf.min.js' });
await page.addScriptTag({ url: 'tfjs/tf-backend-wasm.min.js' });
await page.addScriptTag({ url: 'ort/ort.wasm.min.js' });
const setup = await page.evaluate(async () => {
  const { instantiateModel } = await import('./model_module.js');
  const lpad = new Uint8Array(await (await fetch('model.lpad')).arrayBuffer());
  const codesFor = (count) => new Float32Array(2 * count).map((_, i) => Math.sin(i));
  const engines = {};
  const kernels = [];
  for (const [label, file] of [['latentpad_simd128', 'latentpad_model.wasm'],
                               ['latentpad_relaxed', 'latentpad_model_relaxed.wasm']]) {
    const model = await instantiateModel(await (await fetch(file)).arrayBuffer());
    const error = model.load(lpad);
    if (error) throw new Error(`${file} refused model.lpad: ${error}`);
    kernels.push(`${file} ${model.kernel()}`);
    engines[label] = async (count, repeats) => {
      const codes = codesFor(count);
      const t0 = performance.now();
      for (let r = 0; r < repeats; r++) model.decode(codes);
      return (performance.now() - t0) / repeats;
    };
  }

  tf.wasm.setWasmPaths('tfjs/');
  await tf.setBackend('wasm');
  await tf.ready();
  const decoder = tf.sequential();
  decoder.add(tf.layers.dense({ units: 64, activation: 'tanh', inputShape: [2] }));
  for (const [units, activation] of [[128, 'tanh'], [256, 'tanh'], [784, 'sigmoid']]) {
    decoder.add(tf.layers.dense({ units, activation }));
  }
  engines.tfjs_wasm = async (count, repeats) => {
    const codes = tf.tensor2d(codesFor(count), [count, 2]);
    const t0 = performance.now();
    for (let r = 0; r < repeats; r++) {
      const y = decoder.predict(codes);
      y.dataSync();
      y.dispose();
    }
    const ms = (performance.now() - t0) / repeats;
    codes.dispose();
    return ms;
  };

  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = new URL('ort/', location.href).href;  // a bare 'ort/' is taken for a module name
  const session = await ort.InferenceSession.create('decoder.onnx', { executionProviders: ['wasm'] });
  const input = session.inputNames[0], output = session.outputNames[0];
  engines.ort_wasm = async (count, repeats) => {
    const feeds = { [input]: new ort.Tensor('float32', codesFor(count), [count, 2]) };
    const t0 = performance.now();
    for (let r = 0; r < repeats; r++) {
      const result = await session.run(feeds);
      if (result[output].data.length !== 784 * count) throw new Error('ONNX Runtime decoded the wrong size');
    }
    return (performance.now() - t0) / repeats;
  };
  window.benchEngines = engines;
  return `${kernels.join(', ')}; tfjs ${tf.version.tfjs} ${tf.getBackend()}; onnxruntime-web ${ort.env.versions.web} ` +
         `wasm, ${ort.env.wasm.numThreads} thread, crossOriginIsolated ${self.crossOriginIsolated}`;
});
console.log(`decode_bench_engines ${setup}`);

const ENGINES = ['latentpad_simd128', 'latentpad_relaxed', 'tfjs_wasm', 'ort_wasm'];
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
const run = (engine, count, repeats) =>
  page.evaluate(([engine, count, repeats]) => window.benchEngines[engine](count, repeats), [engine, count, repeats]);
for (const count of [1, 81, 1024]) {
  const repeats = count === 1 ? 200 : count === 81 ? 40 : 10;
  for (const engine of ENGINES) await run(engine, count, Math.max(1, repeats >> 2));  // warm up
  const times = Object.fromEntries(ENGINES.map((engine) => [engine, []]));
  for (let round = 0; round < 7; round++) {
    for (const engine of ENGINES) times[engine].push(await run(engine, count, repeats));
  }
  const ms = Object.fromEntries(ENGINES.map((engine) => [engine, median(times[engine])]));
  console.log(`single_thread_decode batch ${String(count).padStart(4)}: ` +
              ENGINES.map((engine) => `${engine} ${ms[engine].toFixed(3)} ms`).join(', '));
  for (const ours of ['latentpad_simd128', 'latentpad_relaxed']) {
    console.log(`single_thread_decode batch ${String(count).padStart(4)}: ${ours} ` +
                `${(ms.tfjs_wasm / ms[ours]).toFixed(2)}x tfjs_wasm, ${(ms.ort_wasm / ms[ours]).toFixed(2)}x ort_wasm ` +
                `(medians of 7 alternating rounds)`);
  }
  console.log(`single_thread_decode batch ${String(count).padStart(4)}: relaxed over simd128 ` +
              `${(ms.latentpad_simd128 / ms.latentpad_relaxed).toFixed(2)}x`);
}
await browser.close();
server.close();

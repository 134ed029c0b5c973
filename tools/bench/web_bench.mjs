// Browser-side figures for the demo, printed (never asserted):
//   - decode throughput in headless Chromium, batch 1, 81 (9x9) and 1024 (32x32);
//   - time from navigation to the first decoded digit on screen;
//   - page weight, every site file gzip-compressed;
//   - SIMD128 against scalar wasm, both under Node, when both modules are given.
// usage: node web_bench.mjs SITE_DIR WEIGHTS [SIMD_NODE_JS SCALAR_NODE_JS]
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startServer } from '../lib/serve.mjs';

const { chromium } = await import(new URL('../node_modules/playwright-core/index.mjs', import.meta.url));
const [siteDir, weights, simdJs, scalarJs] = process.argv.slice(2);

// Page weight.
let total = 0;
for (const name of readdirSync(siteDir).sort()) {
  const size = gzipSync(readFileSync(join(siteDir, name)), { level: 9 }).length;
  total += size;
  console.log(`page_file ${name}: ${(size / 1024).toFixed(0)} KiB gzipped`);
}
console.log(`page_weight_gzip_mb ${(total / 1e6).toFixed(3)}`);

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
    for (const count of [1, 81, 1024]) {
      const repeats = count === 1 ? 500 : 10;
      await page.evaluate(({ count }) => window.latentpad.benchDecode(count, 2), { count });  // warm up
      const ms = await page.evaluate(({ count, repeats }) => window.latentpad.benchDecode(count, repeats), { count, repeats });
      console.log(`chromium_decode batch ${String(count).padStart(4)}: ${ms.toFixed(3).padStart(8)} ms, ${(count / ms * 1000).toFixed(0).padStart(8)} digits/s`);
    }
  }
}
console.log(`first_digit_ms ${firsts.map((v) => v.toFixed(0)).join(' ')} (median ${firsts.sort((a, b) => a - b)[1].toFixed(0)})`);
await browser.close();
server.close();

// SIMD128 vs scalar wasm, same code, same codes, under Node.
if (simdJs && scalarJs) {
  const require = createRequire(import.meta.url);
  const bytes = readFileSync(weights);
  const rates = {};
  for (const [label, file] of [['simd128', simdJs], ['scalar', scalarJs]]) {
    const wasm = require(file)();
    const pointer = wasm._malloc(bytes.length);
    wasm.HEAPU8.set(bytes, pointer);
    if (!wasm._lpn_load(pointer, bytes.length)) throw new Error(`cannot load ${weights}`);
    const count = 1024, codes = wasm._malloc(count * 8), pixels = wasm._malloc(count * 784 * 4);
    for (let i = 0; i < count; i++) {
      wasm.HEAPF32[(codes >> 2) + 2 * i] = -1 + 2 * (i % 97) / 96;
      wasm.HEAPF32[(codes >> 2) + 2 * i + 1] = 1 - 2 * (i % 89) / 88;
    }
    wasm._lpn_decode(codes, count, pixels);
    const t0 = performance.now();
    for (let r = 0; r < 5; r++) wasm._lpn_decode(codes, count, pixels);
    rates[label] = count * 5 / ((performance.now() - t0) / 1000);
    console.log(`node_decode ${label} (${wasm.UTF8ToString(wasm._lpn_kernel())}): ${rates[label].toFixed(0)} digits/s`);
  }
  console.log(`simd_speedup ${(rates.simd128 / rates.scalar).toFixed(2)}x`);
}

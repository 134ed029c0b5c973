// End-to-end tests of the demo page in headless Chromium (Debian's chromium,
// driven by npm playwright-core): load without console errors, drag the point
// with the real mouse and with touch, check the drawn digit against the wasm
// decoder, open at ?z=, show a clear message for a corrupt model, draw the
// manifold from the decode workers (or without them) and check it against the
// native build, run a large batch through the workers, and stay idle when
// nothing changes.
//
// usage: node e2e.mjs SITE_DIR OTHER_MODEL [SCREENSHOT_DIR [LATENTPAD_BINARY]]
// OTHER_MODEL: a valid model file that differs from the site's, for the
// "load your own model" tests. SCREENSHOT_DIR: where to save screenshots
// ('' for none). LATENTPAD_BINARY: the native CLI, whose `latentpad decode`
// is the reference for the manifold and the large batch; without it they are
// checked against the page's own decode(), one code at a time.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { drawnTexels, expect, nextFrames, startBrowser } from './browser.mjs';

const [siteDir, otherModel, shotDir, latentpadBinary] = process.argv.slice(2);
if (!otherModel) {
  console.error('usage: node e2e.mjs SITE_DIR OTHER_MODEL [SCREENSHOT_DIR [LATENTPAD_BINARY]]');
  process.exit(2);
}
if (!latentpadBinary) console.log('note: no LATENTPAD_BINARY given; the page is checked against its own decode(), not the native build');

const { base, test, open, finish } = await startBrowser(siteDir);

// How a digit reaches the screen: each decoded value v becomes the byte
// round(255 v) (gray_byte in web/app/app_state.h) of a texture drawn with nearest
// filtering, several screen pixels per texel. The screen pixel under a texel's
// centre therefore shows exactly that byte: read there, the screen differs from
// the decoder's floats by 8-bit quantisation alone, at most 0.5/255 (measured:
// 0.0020 = 0.5/255, every byte exact). Averaging blocks of the screen instead,
// as this file used to, blurs the texels into each other and needed a mean
// tolerance of 0.05, which a digit drawn for a code 0.1 away passed.
//
// The checks allow a maximum (not mean) difference of 2/255 = 0.0078: the
// quantisation, plus one level for a value that rounds the other way (the
// native build and wasm differ by ~1e-5) and room to spare. A code 0.02 away
// changes some pixel by 0.033 to 0.22 at the codes these tests use (eight
// directions each; 0.007 already 0.001 away at (0,0)), and every manifold cell
// by 0.016 or more, so such digits fail: expectDigitOnScreen checks that at
// every code it looks at.
const SCREEN_TOLERANCE = 2 / 255;
const NEAR = 0.02;  // issue 9: a digit drawn for a code this far away must fail

// The big digit as the screen shows it.
const drawnDigit = async (page) => drawnTexels(page, (await page.evaluate(() => window.latentpad.layout())).digit, 28);
const decodeAt = (page, x, y) => page.evaluate(([x, y]) => Array.from(window.latentpad.decode(x, y)), [x, y]);
async function decoded(page) {
  const { x, y } = await page.evaluate(() => window.latentpad.getLatent());
  return decodeAt(page, x, y);
}
const meanAbsDiff = (a, b) => a.reduce((sum, v, i) => sum + Math.abs(v - b[i]), 0) / a.length;
const maxAbsDiff = (a, b) => a.reduce((worst, v, i) => Math.max(worst, Math.abs(v - b[i])), 0);
const fmt = (v) => v.toFixed(4);

// The big digit on screen is decode() of the point's code, and the check is
// sharp enough to mean it: the digits of the codes NEAR away in eight
// directions must all fail it, or this code cannot tell them apart. Returns
// the numbers measured, for the test's line.
async function expectDigitOnScreen(page, what) {
  const { x, y } = await page.evaluate(() => window.latentpad.getLatent());
  const shown = await drawnDigit(page);
  const at = maxAbsDiff(shown, await decodeAt(page, x, y));
  expect(at <= SCREEN_TOLERANCE, `${what}: the digit on screen differs from decode(${x}, ${y}) by up to ${fmt(at)} (allowed ${fmt(SCREEN_TOLERANCE)})`);
  let nearest = Infinity;
  for (let k = 0; k < 8; k++) {
    const nx = x + NEAR * Math.cos(k * Math.PI / 4), ny = y + NEAR * Math.sin(k * Math.PI / 4);
    const off = maxAbsDiff(shown, await decodeAt(page, nx, ny));
    expect(off > SCREEN_TOLERANCE, `${what}: the check cannot tell (${x}, ${y}) from (${nx}, ${ny}), ${NEAR} away: ${fmt(off)}`);
    nearest = Math.min(nearest, off);
  }
  return `${what}: screen vs decode ${fmt(at)}, vs codes ${NEAR} away >= ${fmt(nearest)}`;
}

// The reference decoder: the native build's `latentpad decode` of each code
// (Eigen, not wasm; it prints 28 lines of 28 values with 6 decimals), or the
// page's decode() when no binary was given. codes: x,y pairs of float32
// values, printed exactly (shortest round-trip form) so both sides decode the
// very same codes. Returns 784 values per code, concatenated.
async function referenceDecode(page, codes) {
  const weights = join(siteDir, 'model.lpad');  // the page's model, as served (float16)
  const pixels = [];
  for (let i = 0; i < codes.length; i += 2) {
    let values;
    if (latentpadBinary) {
      const text = execFileSync(latentpadBinary, ['decode', '--weights', weights, `--z=${codes[i]},${codes[i + 1]}`], { encoding: 'utf8' });
      values = text.trim().split(/\s+/).map(Number);
      expect(values.length === 784 && values.every(Number.isFinite), `latentpad decode printed ${values.length} values for (${codes[i]}, ${codes[i + 1]})`);
    } else {
      values = await decodeAt(page, codes[i], codes[i + 1]);
    }
    pixels.push(...values);
  }
  return pixels;
}
const latentAt = (pad, range, px, py) => [(px - pad[0]) / pad[2] * 2 * range - range, range - (py - pad[1]) / pad[3] * 2 * range];

// The .wasm files a page fetches, in order (only their names).
function wasmRequests(page) {
  const files = [];
  page.on('request', (request) => {
    const name = new URL(request.url()).pathname.split('/').pop();
    if (name.endsWith('.wasm')) files.push(name);
  });
  return files;
}

await test('page loads with no console errors and draws the decoder output', async (page, problems) => {
  const fetched = wasmRequests(page);
  await open(page);
  expect(problems.length === 0, problems.join('; '));
  const layout = await page.evaluate(() => window.latentpad.layout());
  // Chromium has relaxed SIMD: the decode workers run the FMA build, the
  // ImGui app on the main thread SIMD128 (Emscripten 3.1.6).
  expect(layout.kernel === 'relaxed-simd', `dense kernel is ${layout.kernel}, expected relaxed-simd`);
  expect(layout.main_kernel === 'simd128', `the main thread's dense kernel is ${layout.main_kernel}, expected simd128`);
  expect(fetched.includes('latentpad_model_relaxed.wasm') && !fetched.includes('latentpad_model.wasm'),
         `the page fetched ${fetched.join(', ')}: expected latentpad_model_relaxed.wasm instead of latentpad_model.wasm`);
  const note = await expectDigitOnScreen(page, 'at (0, 0)');
  if (shotDir) {
    mkdirSync(shotDir, { recursive: true });
    await page.screenshot({ path: join(shotDir, 'demo.png') });
  }
  return note;
});

await test('dragging the point with the mouse moves the code and redraws the digit', async (page, problems) => {
  await open(page);
  const { pad, range } = await page.evaluate(() => window.latentpad.layout());
  const before = await drawnDigit(page);
  const from = [pad[0] + pad[2] * 0.5, pad[1] + pad[3] * 0.5];
  const to = [pad[0] + pad[2] * 0.2, pad[1] + pad[3] * 0.15];
  await page.mouse.move(...from);
  await page.mouse.down();
  await page.mouse.move(...to, { steps: 12 });
  await page.mouse.up();
  await nextFrames(page);
  const { x, y } = await page.evaluate(() => window.latentpad.getLatent());
  const [ex, ey] = latentAt(pad, range, ...to);
  expect(Math.abs(x - ex) < 0.02 && Math.abs(y - ey) < 0.02, `latent (${x}, ${y}) not near (${ex}, ${ey})`);
  expect(meanAbsDiff(before, await drawnDigit(page)) > 0.03, 'the drawn digit did not change');
  const note = await expectDigitOnScreen(page, 'at the new point');
  expect(problems.length === 0, problems.join('; '));
  return note;
});

await test('a touch on the pad moves the point', async (page) => {
  await open(page);
  const { pad, range } = await page.evaluate(() => window.latentpad.layout());
  const at = [pad[0] + pad[2] * 0.8, pad[1] + pad[3] * 0.7];
  await page.touchscreen.tap(...at);
  await nextFrames(page);
  const { x, y } = await page.evaluate(() => window.latentpad.getLatent());
  const [ex, ey] = latentAt(pad, range, ...at);
  expect(Math.abs(x - ex) < 0.02 && Math.abs(y - ey) < 0.02, `latent (${x}, ${y}) not near (${ex}, ${ey})`);
});

await test('?z= opens the page at that point, and the JS API round-trips', async (page) => {
  await open(page, '?z=0.25,-0.5');
  const { x, y } = await page.evaluate(() => window.latentpad.getLatent());
  expect(x === 0.25 && y === -0.5, `opened at (${x}, ${y})`);
  const note = await expectDigitOnScreen(page, 'at (0.25, -0.5)');
  const pixels = await page.evaluate(() => { const p = window.latentpad.decode(-100, 100); return [p.length, Math.min(...p), Math.max(...p), p instanceof Float32Array]; });
  expect(pixels[0] === 784 && pixels[1] >= 0 && pixels[2] <= 1 && pixels[3], `decode() returned ${pixels}`);
  await page.evaluate(() => window.latentpad.setLatent(10, 10));
  const moved = await page.evaluate(() => window.latentpad.getLatent());
  expect(moved.x === 10 && moved.y === 10, 'setLatent did not take');
  return note;
});

await test('a bad ?z= is reported in the page, not ignored', async (page) => {
  await open(page, '?z=nan,1');
  const error = await page.evaluate(() => window.latentpad.error());
  expect(/not a finite number/.test(error), `error line is '${error}'`);
});

await test('a corrupt model file shows a clear error instead of a blank page', async (page, problems) => {
  const model = await readFile(join(siteDir, 'model.lpad'));
  model[model.length >> 1] ^= 0xff;
  await page.route('**/model.lpad', (route) => route.fulfill({ status: 200, body: model }));
  await page.goto(base);
  expect((await page.evaluate(() => window.latentpad.ready)) === false, 'a corrupt model was accepted');
  await nextFrames(page);
  const error = await page.evaluate(() => window.latentpad.error());
  expect(/invalid model file: checksum mismatch/.test(error), `error line is '${error}'`);
  expect(problems.length === 0, problems.join('; '));
  if (shotDir) await page.screenshot({ path: join(shotDir, 'corrupt-model.png') });
});

await test('a model chosen with the file picker replaces the current one', async (page, problems) => {
  await open(page, '?z=0.3,0.3');
  const before = await decoded(page);
  await page.setInputFiles('#model-file', { name: 'fashion.lpad', mimeType: 'application/octet-stream',
                                             buffer: await readFile(otherModel) });
  expect(await page.evaluate(() => window.latentpad.lastUserLoad()) === true, 'the picked model was rejected');
  await nextFrames(page);
  const after = await decoded(page);
  expect(meanAbsDiff(before, after) > 0.01, 'decode() still returns the old model\'s digit');
  const note = await expectDigitOnScreen(page, 'the new model');
  expect(await page.evaluate(() => window.latentpad.error()) === '', 'an error is shown after a good load');
  expect(problems.length === 0, problems.join('; '));
  return note;
});

await test('an invalid dropped file is reported and the current model stays loaded', async (page, problems) => {
  await open(page, '?z=0.3,0.3');
  const before = await decoded(page);
  const truncated = [...(await readFile(otherModel)).subarray(0, 5000)];
  await page.evaluate((bytes) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([new Uint8Array(bytes)], 'broken.lpad'));
    document.getElementById('canvas').dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, truncated);
  expect(await page.evaluate(() => window.latentpad.lastUserLoad()) === false, 'a truncated model was accepted');
  await nextFrames(page);
  const error = await page.evaluate(() => window.latentpad.error());
  expect(/^broken\.lpad: invalid model file: file truncated/.test(error) && /previous model is still loaded/.test(error),
         `error line is '${error}'`);
  expect(meanAbsDiff(before, await decoded(page)) === 0, 'the model changed after a failed load');
  // decode() is still the old model's (just checked), so this is the old model on screen.
  const note = await expectDigitOnScreen(page, 'the old model');
  expect(problems.length === 0, problems.join('; '));
  if (shotDir) await page.screenshot({ path: join(shotDir, 'rejected-model.png') });
  return note;
});

// The manifold drawn on screen against the reference decoder (the native
// build), cell by cell: independent of the workers and of the page's wasm, so
// a fault in either shows. The tolerance is the screen's (SCREEN_TOLERANCE);
// native and wasm agree to ~1e-5. Returns the worst cell's difference.
async function checkManifold(page, grid, expectWorkers) {
  // The point far outside the grid, so that no cell is drawn highlighted.
  await page.evaluate(() => window.latentpad.setLatent(50, 50));
  const info = await page.evaluate((grid) => window.latentpad.rebuildManifold(grid), grid);
  expect(info.grid === grid, `manifold grid is ${info.grid}, expected ${grid}`);
  expect(expectWorkers ? info.workers >= 1 : info.workers === 0, `manifold decoded by ${info.workers} workers`);
  await nextFrames(page);
  const { manifold } = await page.evaluate(() => window.latentpad.layout());
  const shown = await drawnTexels(page, manifold, 28 * grid);
  // The grid's codes in float32 arithmetic, as manifold_update (web/app/panel_manifold.cpp)
  // computes them, so the reference decodes the very same codes.
  const f = Math.fround, range = f(info.range), step = f(f(2 * range) / (grid - 1));
  const codes = [];
  for (let r = 0; r < grid; r++) for (let c = 0; c < grid; c++) codes.push(f(-range + f(c * step)), f(range - f(r * step)));
  const expected = await referenceDecode(page, codes);
  let worst = 0;
  for (let cell = 0; cell < grid * grid; cell++) {
    const row = Math.floor(cell / grid), col = cell % grid;
    const drawn = [];
    for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) drawn.push(shown[(row * 28 + y) * 28 * grid + col * 28 + x]);
    const diff = maxAbsDiff(drawn, expected.slice(cell * 784, (cell + 1) * 784));
    expect(diff <= SCREEN_TOLERANCE, `the manifold cell at (${codes[2 * cell]}, ${codes[2 * cell + 1]}) differs from its reference decode by up to ${fmt(diff)}`);
    worst = Math.max(worst, diff);
  }
  return `${grid}x${grid} cells vs ${latentpadBinary ? 'native' : 'decode()'}: worst ${fmt(worst)}`;
}

// A batch large enough that every worker's share (or the main thread's whole
// batch) takes the SIMD128 kernel's packed path: dense_kernel_simd128.cpp
// repacks the weights for batches of 16 or more, and the manifolds above are
// split over the workers into shares mostly below that. 32 codes per worker
// leaves each at least 16 under any even split (decode_pool.js hands out
// shares of n/workers rounded up to 4). Checked against the reference to 1e-4.
async function checkLargeBatch(page) {
  const workers = await page.evaluate(() => window.latentpad.decodeWorkers());
  const count = 32 * Math.max(1, workers);
  const f = Math.fround, codes = [];
  for (let i = 0; i < count; i++) codes.push(f(1.2 * Math.sin(1.7 * i + 0.3)), f(1.2 * Math.cos(2.3 * i)));
  codes.splice(0, 6, 10, 10, -100, 100, -1.5, -1.5);  // and some of the tutorial's far codes
  const batch = await page.evaluate(async (codes) => Array.from(await window.latentpad.decodeBatch(new Float32Array(codes))), codes);
  expect(batch.length === 784 * count, `decodeBatch() of ${count} codes returned ${batch.length} values`);
  const worst = maxAbsDiff(batch, await referenceDecode(page, codes));
  expect(worst <= 1e-4, `decodeBatch() of ${count} codes differs from ${latentpadBinary ? 'native' : 'decode()'} by ${worst}`);
  return `${count} codes in ${workers} workers vs ${latentpadBinary ? 'native' : 'decode()'}: ${worst.toExponential(1)}`;
}

await test('the manifold comes from the decode workers and each cell is its code\'s digit', async (page, problems) => {
  await open(page);
  const note = await checkManifold(page, 5, true);
  // decodeBatch (the workers) and decode (the page's own wasm) agree exactly
  // when they run the same kernel; the workers' relaxed-SIMD build fuses each
  // multiply-add where the main thread's SIMD128 rounds twice, a difference
  // far below the native parity tests' 1e-5 (wasm_parity runs both builds).
  const { kernel, main_kernel: mainKernel } = await page.evaluate(() => window.latentpad.layout());
  const allowed = kernel === mainKernel ? 0 : 1e-5;
  const worst = await page.evaluate(async () => {
    const codes = new Float32Array([0.1, 0.2, -0.5, 0.7, 3, -3, 0, 0, 0.9, -0.9]);
    const batch = await window.latentpad.decodeBatch(codes);
    let worst = 0;
    for (let k = 0; k < 5; k++) {
      const one = window.latentpad.decode(codes[2 * k], codes[2 * k + 1]);
      for (let i = 0; i < 784; i++) worst = Math.max(worst, Math.abs(one[i] - batch[784 * k + i]));
    }
    return worst;
  });
  expect(worst <= allowed, `decodeBatch() (${kernel}) and decode() (${mainKernel}) differ by ${worst}, allowed ${allowed}`);
  expect(problems.length === 0, problems.join('; '));
  return note;
});

// Safari has no relaxed SIMD: with the probe refusing it, the page must fetch
// and run the SIMD128 modules (and nothing else), and decode as before.
await test('without relaxed SIMD (Safari) the page runs the SIMD128 modules instead', async (page, problems) => {
  await page.addInitScript(() => {
    const validate = WebAssembly.validate;
    WebAssembly.validate = (bytes) => {
      const b = new Uint8Array(bytes.buffer || bytes);
      for (let i = 0; i + 2 < b.length; i++) if (b[i] === 253 && b[i + 1] === 133 && b[i + 2] === 2) return false;
      return validate(bytes);
    };
  });
  const fetched = wasmRequests(page);
  await open(page);
  expect(await page.evaluate(() => window.latentpad.decodeWorkers()) >= 1, 'no decode workers are running');
  const { kernel, main_kernel: mainKernel } = await page.evaluate(() => window.latentpad.layout());
  expect(kernel === 'simd128' && mainKernel === 'simd128', `kernels ${kernel} / ${mainKernel}, expected simd128 for both`);
  expect(fetched.includes('latentpad_model.wasm') && !fetched.some((name) => name.includes('_relaxed')),
         `the page fetched ${fetched.join(', ')}: expected latentpad_model.wasm and no relaxed build`);
  const note = await checkLargeBatch(page);
  expect(problems.length === 0, problems.join('; '));
  return note;
});

await test('a large batch through the decode workers (the packed SIMD path) matches the native decoder', async (page, problems) => {
  await open(page);
  expect(await page.evaluate(() => window.latentpad.decodeWorkers()) >= 1, 'no decode workers are running');
  const note = await checkLargeBatch(page);
  expect(problems.length === 0, problems.join('; '));
  return note;
});

await test('without workers the manifold is decoded on the main thread', async (page, problems) => {
  await page.route('**/decode_worker.js', (route) => route.fulfill({ status: 404, body: 'not found' }));
  await open(page);
  const note = `${await checkManifold(page, 4, false)}; ${await checkLargeBatch(page)}`;
  const unexpected = problems.filter((problem) => !/404/.test(problem));
  expect(unexpected.length === 0, unexpected.join('; '));
  return note;
});

await test('a worker that fails a decode hands the manifold back to the main thread', async (page, problems) => {
  // A stand-in worker that starts and takes the model, then fails every decode.
  const failing = `self.onmessage = ({ data }) => self.postMessage(
    data.type === 'decode' ? { id: data.id, error: 'simulated failure' } : { id: data.id });`;
  await page.route('**/decode_worker.js', (route) => route.fulfill({ status: 200, contentType: 'text/javascript', body: failing }));
  await open(page);
  const note = await checkManifold(page, 4, false);
  expect(await page.evaluate(() => window.latentpad.decodeWorkers()) === 0, 'the failed workers are still in use');
  expect(problems.length === 0, problems.join('; '));
  return note;
});

// How long the idle check watches: a page that redraws once a second (a clock,
// a polling timer) draws at least twice in any 2.6 s, where a short look (this
// used to be 0.5 s) misses it half the time.
const IDLE_WATCH_MS = 2600;

await test('an idle page draws no frames, and input wakes it', async (page) => {
  await open(page);
  // Nothing may be pending: the first manifold comes from the workers, some time after load.
  await page.waitForFunction(() => window.latentpad.manifold().serial > 0);
  await nextFrames(page, 10);
  // The page's frames, and the browser's animation frames alongside: each one
  // was a chance for the page to draw, so this shows the browser kept ticking.
  const watched = await page.evaluate((ms) => new Promise((done) => {
    const frames = () => window.latentpad.layout().frames;
    const before = frames(), start = performance.now();
    let ticks = 0;
    const tick = () => {
      ticks++;
      if (performance.now() - start < ms) requestAnimationFrame(tick);
      else done({ drawn: frames() - before, ticks, ms: performance.now() - start });
    };
    requestAnimationFrame(tick);
  }), IDLE_WATCH_MS);
  expect(watched.ticks >= 30, `the browser ran only ${watched.ticks} animation frames in ${watched.ms} ms`);
  expect(watched.drawn === 0, `the page drew ${watched.drawn} frames in ${Math.round(watched.ms)} ms while nothing changed`);
  const before = (await page.evaluate(() => window.latentpad.layout())).frames;
  await page.mouse.move(300, 300);
  await page.mouse.move(310, 305);
  await nextFrames(page);
  expect((await page.evaluate(() => window.latentpad.layout())).frames > before, 'moving the mouse did not redraw the page');
  return `0 frames drawn in ${Math.round(watched.ms)} ms, ${watched.ticks} animation frames`;
});

await finish('e2e');

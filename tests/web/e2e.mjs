// End-to-end tests of the demo page in headless Chromium (Debian's chromium,
// driven by npm playwright-core): load without console errors, drag the point
// with the real mouse and with touch, check the drawn digit against the wasm
// decoder, open at ?z=, show a clear message for a corrupt model, draw the
// manifold from the decode workers (or without them), and stay idle when
// nothing changes.
//
// usage: node e2e.mjs SITE_DIR OTHER_MODEL [SCREENSHOT_DIR]
// OTHER_MODEL: a valid model file that differs from the site's, for the
// "load your own model" tests.
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer } from '../../tools/lib/serve.mjs';

const { chromium } = await import(new URL('../../tools/node_modules/playwright-core/index.mjs', import.meta.url));
const [siteDir, otherModel, shotDir] = process.argv.slice(2);
if (!otherModel) {
  console.error('usage: node e2e.mjs SITE_DIR OTHER_MODEL [SCREENSHOT_DIR]');
  process.exit(2);
}

const server = await startServer(siteDir, 0);
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({
  executablePath: process.env.LATENTPAD_CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync',
         '--enable-unsafe-swiftshader'],
});

let passed = 0, failed = 0;
async function test(name, body) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, hasTouch: true });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (message) => { if (message.type() === 'error') problems.push(`console error: ${message.text()}`); });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  try {
    await body(page, problems);
    console.log(`ok   ${name}`);
    passed++;
  } catch (error) {
    console.log(`FAIL ${name}: ${error.message}`);
    failed++;
  } finally {
    await context.close();
  }
}
function expect(condition, message) { if (!condition) throw new Error(message); }

async function open(page, query = '') {
  await page.goto(base + query);
  expect(await page.evaluate(() => window.latentpad.ready), `model did not load: ${await page.evaluate(() => window.latentpad.error())}`);
  await nextFrames(page);
}
const nextFrames = (page, n = 3) => page.evaluate((n) => new Promise((done) => {
  const step = (k) => (k === 0 ? done() : requestAnimationFrame(() => step(k - 1)));
  step(n);
}), n);

// A square on screen, averaged down to side x side grey values in [0,1].
async function drawnSquare(page, [x, y, w, h], side) {
  const png = await page.screenshot({ clip: { x, y, width: w, height: h } });
  return page.evaluate(async ({ dataUrl, side }) => {
    const image = new Image();
    image.src = dataUrl;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = side;
    const context = canvas.getContext('2d');
    context.drawImage(image, 0, 0, side, side);
    const rgba = context.getImageData(0, 0, side, side).data;
    return Array.from({ length: side * side }, (_, i) => rgba[4 * i] / 255);
  }, { dataUrl: `data:image/png;base64,${png.toString('base64')}`, side });
}
// The big digit as the screen shows it.
const drawnDigit = async (page) => drawnSquare(page, (await page.evaluate(() => window.latentpad.layout())).digit, 28);
async function decoded(page) {
  return page.evaluate(() => { const { x, y } = window.latentpad.getLatent(); return Array.from(window.latentpad.decode(x, y)); });
}
const meanAbsDiff = (a, b) => a.reduce((sum, v, i) => sum + Math.abs(v - b[i]), 0) / a.length;
const latentAt = (pad, range, px, py) => [(px - pad[0]) / pad[2] * 2 * range - range, range - (py - pad[1]) / pad[3] * 2 * range];

await test('page loads with no console errors and draws the decoder output', async (page, problems) => {
  await open(page);
  expect(problems.length === 0, problems.join('; '));
  const layout = await page.evaluate(() => window.latentpad.layout());
  expect(layout.kernel === 'simd128', `dense kernel is ${layout.kernel}, expected simd128`);
  const shown = await drawnDigit(page), expected = await decoded(page);
  expect(meanAbsDiff(shown, expected) < 0.05, `drawn digit differs from decode(): ${meanAbsDiff(shown, expected)}`);
  if (shotDir) {
    mkdirSync(shotDir, { recursive: true });
    await page.screenshot({ path: join(shotDir, 'demo.png') });
  }
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
  const after = await drawnDigit(page), expected = await decoded(page);
  expect(meanAbsDiff(before, after) > 0.03, 'the drawn digit did not change');
  expect(meanAbsDiff(after, expected) < 0.05, `drawn digit differs from decode() at the new point: ${meanAbsDiff(after, expected)}`);
  expect(problems.length === 0, problems.join('; '));
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
  const shown = await drawnDigit(page), expected = await decoded(page);
  expect(meanAbsDiff(shown, expected) < 0.05, 'drawn digit differs from decode(0.25, -0.5)');
  const pixels = await page.evaluate(() => { const p = window.latentpad.decode(-100, 100); return [p.length, Math.min(...p), Math.max(...p), p instanceof Float32Array]; });
  expect(pixels[0] === 784 && pixels[1] >= 0 && pixels[2] <= 1 && pixels[3], `decode() returned ${pixels}`);
  await page.evaluate(() => window.latentpad.setLatent(10, 10));
  const moved = await page.evaluate(() => window.latentpad.getLatent());
  expect(moved.x === 10 && moved.y === 10, 'setLatent did not take');
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
  const shown = await drawnDigit(page);
  expect(meanAbsDiff(shown, after) < 0.05, 'the drawn digit is not the new model\'s');
  expect(await page.evaluate(() => window.latentpad.error()) === '', 'an error is shown after a good load');
  expect(problems.length === 0, problems.join('; '));
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
  expect(meanAbsDiff(await drawnDigit(page), before) < 0.05, 'the page no longer draws the old model');
  expect(problems.length === 0, problems.join('; '));
  if (shotDir) await page.screenshot({ path: join(shotDir, 'rejected-model.png') });
});

// The manifold drawn on screen against decodeBatch() of its grid codes, cell by cell.
async function checkManifold(page, grid, expectWorkers) {
  // The point far outside the grid, so that no cell is drawn highlighted.
  await page.evaluate(() => window.latentpad.setLatent(50, 50));
  const info = await page.evaluate((grid) => window.latentpad.rebuildManifold(grid), grid);
  expect(info.grid === grid, `manifold grid is ${info.grid}, expected ${grid}`);
  expect(expectWorkers ? info.workers >= 1 : info.workers === 0, `manifold decoded by ${info.workers} workers`);
  await nextFrames(page);
  const { manifold } = await page.evaluate(() => window.latentpad.layout());
  const shown = await drawnSquare(page, manifold, 28 * grid);
  const step = 2 * info.range / (grid - 1);
  const codes = [];
  for (let r = 0; r < grid; r++) for (let c = 0; c < grid; c++) codes.push(-info.range + c * step, info.range - r * step);
  const decodedCells = await page.evaluate(async (codes) => Array.from(await window.latentpad.decodeBatch(new Float32Array(codes))), codes);
  let worst = 0;
  for (let cell = 0; cell < grid * grid; cell++) {
    const row = Math.floor(cell / grid), col = cell % grid;
    const drawn = [];
    for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) drawn.push(shown[(row * 28 + y) * 28 * grid + col * 28 + x]);
    worst = Math.max(worst, meanAbsDiff(drawn, decodedCells.slice(cell * 784, (cell + 1) * 784)));
  }
  expect(worst < 0.05, `a manifold cell differs from decodeBatch() of its code by ${worst}`);
}

await test('the manifold comes from the decode workers and each cell is its code\'s digit', async (page, problems) => {
  await open(page);
  await checkManifold(page, 5, true);
  // decodeBatch (the workers) and decode (the page's own wasm) agree exactly.
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
  expect(worst === 0, `decodeBatch() and decode() differ by ${worst}`);
  expect(problems.length === 0, problems.join('; '));
});

await test('without workers the manifold is decoded on the main thread', async (page, problems) => {
  await page.route('**/decode_worker.js', (route) => route.fulfill({ status: 404, body: 'not found' }));
  await open(page);
  await checkManifold(page, 4, false);
  const unexpected = problems.filter((problem) => !/404/.test(problem));
  expect(unexpected.length === 0, unexpected.join('; '));
});

await test('a worker that fails a decode hands the manifold back to the main thread', async (page, problems) => {
  // A stand-in worker that starts and takes the model, then fails every decode.
  const failing = `self.onmessage = ({ data }) => self.postMessage(
    data.type === 'decode' ? { id: data.id, error: 'simulated failure' } : { id: data.id });`;
  await page.route('**/decode_worker.js', (route) => route.fulfill({ status: 200, contentType: 'text/javascript', body: failing }));
  await open(page);
  await checkManifold(page, 4, false);
  expect(await page.evaluate(() => window.latentpad.decodeWorkers()) === 0, 'the failed workers are still in use');
  expect(problems.length === 0, problems.join('; '));
});

await test('an idle page draws no frames, and input wakes it', async (page) => {
  await open(page);
  await nextFrames(page, 10);
  const frames = async () => (await page.evaluate(() => window.latentpad.layout())).frames;
  const before = await frames();
  await page.waitForTimeout(500);
  expect(await frames() === before, `the page drew ${(await frames()) - before} frames while nothing changed`);
  await page.mouse.move(300, 300);
  await page.mouse.move(310, 305);
  await nextFrames(page);
  expect(await frames() > before, 'moving the mouse did not redraw the page');
});

await browser.close();
server.close();
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

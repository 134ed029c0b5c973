// The core of the browser suite in Firefox (Debian's firefox-esr, driven by npm
// puppeteer-core over WebDriver BiDi; Playwright cannot drive a stock Firefox):
//   - the page loads with no console errors, and latentpad.decode at a few
//     codes equals native `latentpad decode` to 1e-5; the big digit on screen
//     is decode() of the point (WebGL2 draws what the wasm computed);
//   - a real mouse drag on the pad moves the point to the code under the mouse;
//   - a stroke drawn with the mouse on the Draw panel encodes to a code among
//     the 1s, and that code is encode() of the panel's 28x28 input;
//   - a short training run (1 epoch of 2,000 images, in the training worker)
//     lowers the loss, and the trained model is the page's: its modelBytes()
//     decode natively to what the page decodes;
//   - a model file chosen through the file input replaces the model: the page
//     then decodes what native `latentpad decode` of that file gives;
//   - pytorch/examples' 20-D VAE as a .pth: decode(code) and encode(pixels)
//     .code match native decode/encode of the file imported natively, and a
//     drag on the PCA plane of its test codes moves code() along it only;
//   - the shipped VAE: the page's grid and mu of five test images match native;
//   - the page is cross-origin isolated (tools/lib/serve.mjs's COOP/COEP), and
//     train.start({threads: 2}) trains on 2 threads: the worker thread runs
//     thread-pool tasks, and native `latentpad eval` of the model gives the page's
//     test MSE.
//
// Headless Firefox gets no WebGL2 on the build machines, so this runs a headed
// Firefox on a virtual X server: run it under
//   xvfb-run -a -s '-screen 0 1280x1024x24' node firefox_e2e.mjs ...
// Exits 77 (skipped) when firefox-esr is not installed (LATENTPAD_FIREFOX, by
// default /usr/bin/firefox-esr); tools/test installs it (lp_setup_browser).
//
// usage: node firefox_e2e.mjs SITE_DIR LATENTPAD_BINARY OTHER_MODEL FIXTURES_DIR MNIST_DIR
// OTHER_MODEL: a valid model file that differs from the site's (weights/fashion.lpad);
// FIXTURES_DIR: tests/fixtures/torch; MNIST_DIR: the MNIST IDX files.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../tools/lib/serve.mjs';
import { drawnTexels, expect, nextFrames } from './browser.mjs';

const [siteDir, latentpad, otherModel, fixtures, mnistDir] = process.argv.slice(2);
if (!mnistDir) {
  console.error('usage: node firefox_e2e.mjs SITE_DIR LATENTPAD_BINARY OTHER_MODEL FIXTURES_DIR MNIST_DIR');
  process.exit(2);
}
const firefox = process.env.LATENTPAD_FIREFOX || '/usr/bin/firefox-esr';
try {
  accessSync(firefox, constants.X_OK);
} catch {
  console.log(`SKIP: ${firefox} is not installed (Debian package firefox-esr; tools/lib/setup.sh lp_setup_browser installs it)`);
  process.exit(77);
}
if (!process.env.DISPLAY) {
  console.error('firefox_e2e needs an X display (headless Firefox has no WebGL2 here): run it under ' +
                "xvfb-run -a -s '-screen 0 1280x1024x24' (Debian packages xvfb and xauth).");
  process.exit(1);
}

const { default: puppeteer } = await import(new URL('../../tools/node_modules/puppeteer-core/lib/esm/puppeteer/puppeteer-core.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'latentpad-firefox-e2e-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

const server = await startServer(siteDir, 0);
const base = `http://127.0.0.1:${server.address().port}/`;
const launchStart = Date.now();
const browser = await puppeteer.launch({
  browser: 'firefox',
  executablePath: firefox,
  protocol: 'webDriverBiDi',
  headless: false,
  defaultViewport: { width: 1280, height: 800 },
  args: ['--width=1280', '--height=1000'],
});
const launched = Date.now();
console.log(`firefox: ${await browser.version()} started in ${((launched - launchStart) / 1000).toFixed(1)} s`);

let passed = 0, failed = 0;
// Runs body(page, problems) in a fresh browser context; console errors and
// page errors are collected in `problems` for the test to check.
async function test(name, body) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  const problems = [];
  page.on('console', (message) => { if (message.type() === 'error') problems.push(`console error: ${message.text()}`); });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  const t0 = Date.now();
  try {
    const note = await body(page, problems);
    console.log(`ok   ${name}${note ? ` (${note})` : ''} [${((Date.now() - t0) / 1000).toFixed(1)} s]`);
    passed++;
  } catch (error) {
    console.log(`FAIL ${name}: ${error.message}`);
    failed++;
  } finally {
    await context.close();
  }
}
async function open(page, query = '') {
  await page.goto(base + query);
  const loaded = await page.evaluate(() => Promise.resolve(window.latentpad.ready).catch(() => false));
  expect(loaded, `model did not load: ${await page.evaluate(() => window.latentpad.error())}`);
  await nextFrames(page);
}

const layout = (page) => page.evaluate(() => window.latentpad.layout());
const decodeAt = (page, x, y) => page.evaluate((x, y) => Array.from(window.latentpad.decode(x, y)), x, y);
const maxAbsDiff = (a, b) => a.reduce((worst, v, i) => Math.max(worst, Math.abs(v - b[i])), 0);
// Native `latentpad decode` of one code (28 lines of 28 values, 6 decimals).
function nativeDecode(weights, x, y) {
  const values = execFileSync(latentpad, ['decode', '--weights', weights, `--z=${x},${y}`], { encoding: 'utf8' })
    .trim().split(/\s+/).map(Number);
  expect(values.length === 784 && values.every(Number.isFinite), `latentpad decode printed ${values.length} values for (${x}, ${y})`);
  return values;
}
// Codes exact in float32, so both sides decode the very same codes; two of
// them outside tanh's [-1, 1], as the pad's wider ranges show.
const CODES = [[0, 0], [0.25, -0.5], [-0.75, 0.625], [1.5, -1.5], [-10, 10]];
const PARITY = 1e-5;
// The digit on screen against decode(): 8-bit quantisation plus one level
// (see e2e.mjs, SCREEN_TOLERANCE).
const SCREEN_TOLERANCE = 2 / 255;
async function digitOnScreen(page) {
  const { x, y } = await page.evaluate(() => window.latentpad.getLatent());
  const shown = await drawnTexels(page, (await layout(page)).digit, 28);
  return maxAbsDiff(shown, await decodeAt(page, x, y));
}

await test('the page loads with no console errors, decodes as the native build does and draws it', async (page, problems) => {
  await open(page);
  expect(problems.length === 0, problems.join('; '));
  const { kernel } = await layout(page);
  // firefox-esr 153 has relaxed SIMD: the decode workers run the FMA build.
  expect(kernel === 'relaxed-simd', `dense kernel is ${kernel}, expected relaxed-simd`);
  let worst = 0;
  for (const [x, y] of CODES) {
    const diff = maxAbsDiff(await decodeAt(page, x, y), nativeDecode(join(siteDir, 'model.lpad'), x, y));
    expect(diff <= PARITY, `decode(${x}, ${y}) differs from native latentpad decode by ${diff}`);
    worst = Math.max(worst, diff);
  }
  const screen = await digitOnScreen(page);
  expect(screen <= SCREEN_TOLERANCE, `the digit on screen differs from decode(0, 0) by up to ${screen.toFixed(4)}`);
  expect(problems.length === 0, problems.join('; '));
  return `${CODES.length} codes vs native: ${worst.toExponential(1)}; screen vs decode ${screen.toFixed(4)}`;
});

await test('dragging the point with the mouse moves the code to the mouse', async (page, problems) => {
  await open(page);
  const { pad, range } = await layout(page);
  const before = await page.evaluate(() => window.latentpad.getLatent());
  const from = [pad[0] + pad[2] * 0.5, pad[1] + pad[3] * 0.5];
  const to = [pad[0] + pad[2] * 0.2, pad[1] + pad[3] * 0.15];
  await page.mouse.move(...from);
  await page.mouse.down();
  await page.mouse.move(...to, { steps: 12 });
  // Held still for a few frames before the release, as a hand does. Firefox
  // can deliver the last moves and the release within one frame, and the pad
  // (ImGui 1.86's IsItemActive in web/app/panel_pad.cpp) follows the mouse only while
  // the button is down, so a release in the same frame would stop it short.
  await nextFrames(page);
  await page.mouse.up();
  await nextFrames(page);
  const { x, y } = await page.evaluate(() => window.latentpad.getLatent());
  const ex = (to[0] - pad[0]) / pad[2] * 2 * range - range, ey = range - (to[1] - pad[1]) / pad[3] * 2 * range;
  expect(Math.abs(x - ex) < 0.02 && Math.abs(y - ey) < 0.02,
         `after the drag the code is (${x}, ${y}), not near (${ex.toFixed(3)}, ${ey.toFixed(3)}) under the mouse (it was (${before.x}, ${before.y}))`);
  const screen = await digitOnScreen(page);
  expect(screen <= SCREEN_TOLERANCE, `the digit on screen differs from decode(${x}, ${y}) by up to ${screen.toFixed(4)}`);
  expect(problems.length === 0, problems.join('; '));
  return `(${before.x}, ${before.y}) -> (${x.toFixed(3)}, ${y.toFixed(3)}), expected (${ex.toFixed(3)}, ${ey.toFixed(3)})`;
});

await test('a stroke drawn on the Draw panel encodes to a code among the 1s', async (page, problems) => {
  await open(page);
  await page.evaluate(() => window.latentpad.showPanel('draw'));
  await nextFrames(page, 4);
  const [x, y, w, h] = (await layout(page)).draw_rect;
  expect(w > 50 && h > 50, `the draw canvas is ${w}x${h}`);
  await page.mouse.move(x + w * 0.5, y + h * 0.15);
  await page.mouse.down();
  for (let k = 1; k <= 8; k++) await page.mouse.move(x + w * 0.5, y + h * (0.15 + (0.7 * k) / 8));
  await nextFrames(page);  // held still before the release, as above
  await page.mouse.up();
  await nextFrames(page);
  const drawn = await page.evaluate(() => {
    const api = window.latentpad, info = api.drawingInfo(10), code = api.encode(api.drawing());
    return { ...info, encoded: [code.x, code.y] };
  });
  expect(drawn.ink, 'the stroke left no ink in the Draw panel\'s input');
  // drawingInfo() gives its code to 6 decimals.
  expect(Math.abs(drawn.x - drawn.encoded[0]) <= 1e-6 && Math.abs(drawn.y - drawn.encoded[1]) <= 1e-6,
         `drawingInfo() says (${drawn.x}, ${drawn.y}), encode(drawing()) gives (${drawn.encoded})`);
  const ones = drawn.nearest.filter((label) => label === 1).length;
  expect(ones >= 6, `the stroke's 10 nearest test codes are ${drawn.nearest.join(',')}, expected mostly 1s`);
  expect(problems.length === 0, problems.join('; '));
  return `code (${drawn.x.toFixed(3)}, ${drawn.y.toFixed(3)}), nearest ${drawn.nearest.join('')}`;
});

await test('a short training run lowers the loss and its model becomes the page\'s', async (page, problems) => {
  await open(page);
  const shipped = await decodeAt(page, 0.25, -0.5);
  const started = await page.evaluate(() => window.latentpad.train.start({ epochs: 1, limit: 2000, batch: 16, seed: 1 }));
  expect(started.state === 'training', `start() resolved to ${JSON.stringify(started)}`);
  const end = await page.evaluate(() => window.latentpad.train.finished());
  expect(end.state === 'done' && end.epoch === 1, `the run ended ${JSON.stringify(end)}`);
  const { losses, testMse } = await page.evaluate(() => window.latentpad.train.history());
  expect(losses.length >= 3 && testMse.length === 1, `history has ${losses.length} loss points and ${testMse.length} test MSEs`);
  const first = losses[0][1], last = losses[losses.length - 1][1];
  expect(last < 0.8 * first, `the training loss went from ${first} to ${last}`);
  // The page now decodes with the trained model, which native code reads back.
  const trained = await decodeAt(page, 0.25, -0.5);
  expect(maxAbsDiff(trained, shipped) > 0.01, 'decode() still gives the shipped model\'s digit after training');
  const file = join(work, 'trained.lpad');
  writeFileSync(file, Buffer.from(await page.evaluate(() => Array.from(window.latentpad.train.modelBytes()))));
  const diff = maxAbsDiff(trained, nativeDecode(file, 0.25, -0.5));
  expect(diff <= PARITY, `the trained model decodes (0.25, -0.5) ${diff} away from native latentpad decode of its modelBytes()`);
  expect(problems.length === 0, problems.join('; '));
  return `loss ${first.toFixed(4)} -> ${last.toFixed(4)}, test MSE ${testMse[0][1].toFixed(4)}, page vs native ${diff.toExponential(1)}`;
});

await test('a model file chosen with the file input replaces the current one', async (page, problems) => {
  await open(page);
  await page.evaluate(() => { window.firefoxE2ePreviousLoad = window.latentpad.lastUserLoad(); });
  const input = await page.$('#model-file');
  expect(input, 'the page has no #model-file input');
  await input.uploadFile(otherModel);
  // The change event arrives asynchronously: wait for the load it starts.
  await page.waitForFunction(() => window.latentpad.lastUserLoad() !== window.firefoxE2ePreviousLoad, { timeout: 10000 });
  expect(await page.evaluate(() => window.latentpad.lastUserLoad()) === true,
         `the chosen model was rejected: ${await page.evaluate(() => window.latentpad.error())}`);
  await nextFrames(page);
  let worst = 0;
  for (const [x, y] of CODES) {
    const diff = maxAbsDiff(await decodeAt(page, x, y), nativeDecode(otherModel, x, y));
    expect(diff <= PARITY, `after loading ${otherModel}, decode(${x}, ${y}) differs from its native decode by ${diff}`);
    worst = Math.max(worst, diff);
  }
  const screen = await digitOnScreen(page);
  expect(screen <= SCREEN_TOLERANCE, `the digit on screen differs from the new model's decode() by up to ${screen.toFixed(4)}`);
  expect(await page.evaluate(() => window.latentpad.error()) === '', 'an error is shown after a good load');
  expect(problems.length === 0, problems.join('; '));
  return `${CODES.length} codes vs native decode of the file: ${worst.toExponential(1)}`;
});

// The first test images' pixels in [0, 1], and native's codes (mu) of them.
const testImages = (count) => {
  const bytes = readFileSync(join(mnistDir, 't10k-images-idx3-ubyte'));
  return Array.from({ length: count }, (_, i) => Array.from(bytes.subarray(16 + i * 784, 16 + (i + 1) * 784), (v) => v / 255));
};
const nativeCodes = (weights, count) => execFileSync(latentpad, ['encode', '--weights', weights, '--data', mnistDir, '--count', String(count)],
  { encoding: 'utf8' }).trim().split('\n').slice(1).map((line) => line.split(',').slice(2).map(Number));
const nativeDecodeCode = (weights, code) => execFileSync(latentpad, ['decode', '--weights', weights, `--z=${code.join(',')}`],
  { encoding: 'utf8' }).trim().split(/\s+/).map(Number);

await test('pytorch/examples\' 20-D VAE from a .pth decodes and encodes as native does', async (page, problems) => {
  await open(page);
  const pth = join(fixtures, 'vae20_state_dict.pth'), lpad = join(work, 'vae20.lpad');
  execFileSync(latentpad, ['import', pth, '--out', lpad]);
  await page.evaluate(() => { window.firefoxE2ePreviousLoad = window.latentpad.lastUserLoad(); });
  await (await page.$('#model-file')).uploadFile(pth);
  await page.waitForFunction(() => window.latentpad.lastUserLoad() !== window.firefoxE2ePreviousLoad, { timeout: 10000 });
  expect(await page.evaluate(() => window.latentpad.lastUserLoad()) === true,
         `the .pth was rejected: ${await page.evaluate(() => window.latentpad.error())}`);
  const model = await page.evaluate(() => window.latentpad.model());
  expect(model.kind === 'variational autoencoder' && model.latent === 20, `model() = ${JSON.stringify(model)}`);
  let worst = 0;
  for (const code of [new Array(20).fill(0), Array.from({ length: 20 }, (_, k) => Math.sin(k + 1))]) {
    const pixels = await page.evaluate((z) => Array.from(window.latentpad.decode(z)), code);
    worst = Math.max(worst, maxAbsDiff(pixels, nativeDecodeCode(lpad, code)));
  }
  const images = testImages(3), native = nativeCodes(lpad, 3);
  for (let i = 0; i < 3; ++i) {
    const code = await page.evaluate((p) => Array.from(window.latentpad.encode(p).code), images[i]);
    expect(code.length === 20, `encode(pixels).code has ${code.length} numbers`);
    worst = Math.max(worst, maxAbsDiff(code, native[i]));
  }
  expect(worst <= PARITY, `decode(code) and encode(pixels).code differ from native by ${worst}`);
  // On the PCA plane of its test codes (all 10,000 once the workers encoded
  // them), from a code set off the plane, a mouse drag changes code() along
  // the plane's two directions only.
  await page.waitForFunction(() => window.latentpad.userModelCodes() > 0, { timeout: 30000 });
  const plane = await page.evaluate(() => {
    const p = window.latentpad.setPlane({ pca: true });
    return { pca: p.pca, u: Array.from(p.u), v: Array.from(p.v) };
  });
  expect(plane.pca, 'the PCA plane was not fitted');
  const offPlane = Array.from({ length: 20 }, (_, k) => 0.1 * Math.cos(k));
  await page.evaluate((z) => window.latentpad.setCode(z), offPlane);
  await nextFrames(page);
  const { pad, range } = await layout(page);
  const start = await page.evaluate(() => window.latentpad.getLatent());
  const toScreen = (a, b) => [pad[0] + (a + range) / (2 * range) * pad[2], pad[1] + (range - b) / (2 * range) * pad[3]];
  await page.mouse.move(...toScreen(start.x, start.y));
  await page.mouse.down();
  await page.mouse.move(...toScreen(start.x + range / 3, start.y - range / 4), { steps: 12 });
  await nextFrames(page);  // held still before the release, as a hand does (see the drag test above)
  await page.mouse.up();
  await nextFrames(page);
  const after = await page.evaluate(() => Array.from(window.latentpad.code()));
  const diff = after.map((value, k) => value - offPlane[k]);
  const dot = (a, b) => a.reduce((sum, value, k) => sum + value * b[k], 0);
  const du = dot(diff, plane.u), dv = dot(diff, plane.v);
  const residual = Math.sqrt(diff.reduce((sum, d, k) => sum + (d - du * plane.u[k] - dv * plane.v[k]) ** 2, 0));
  expect(Math.abs(du) > 0.1 && Math.abs(dv) > 0.1 && residual < 1e-4,
         `the drag moved the code ${du} along u, ${dv} along v and ${residual} off the plane`);
  expect(problems.length === 0, problems.join('; '));
  return `decode and encode within ${worst.toExponential(1)} of native; drag ${du.toFixed(3)} u + ${dv.toFixed(3)} v, off the plane ${residual.toExponential(1)}`;
});

await test('the shipped VAE: the page\'s grid and mu match native', async (page, problems) => {
  await open(page);
  await page.evaluate(() => window.latentpad.setModelKind('vae'));
  const served = join(siteDir, 'vae', 'model.lpad');
  const grid = [[-2, 2], [0, 0], [2, -1.5], [1, 2.5]];
  const pixels = await page.evaluate(async (codes) => Array.from(await window.latentpad.decodeBatch(new Float32Array(codes.flat()))), grid);
  let worst = 0;
  grid.forEach((code, i) => { worst = Math.max(worst, maxAbsDiff(pixels.slice(i * 784, (i + 1) * 784), nativeDecodeCode(served, code))); });
  const images = testImages(5), native = nativeCodes(served, 5);
  for (let i = 0; i < 5; ++i) {
    const code = await page.evaluate((p) => Array.from(window.latentpad.encode(p).code), images[i]);
    worst = Math.max(worst, maxAbsDiff(code, native[i]));
  }
  expect(worst <= PARITY, `the shipped VAE's grid or mu differs from native by ${worst}`);
  expect(problems.length === 0, problems.join('; '));
  return `grid and mu within ${worst.toExponential(1)} of native`;
});

await test('the isolated page trains on 2 threads (latentpad_trainer_mt, Web Workers on shared memory)', async (page, problems) => {
  await open(page);
  const isolated = await page.evaluate(() => self.crossOriginIsolated && typeof SharedArrayBuffer === 'function');
  expect(isolated, 'the page is not cross-origin isolated');
  const started = await page.evaluate(() => window.latentpad.train.start({ threads: 2, epochs: 1, limit: 3000, seed: 3 }));
  expect(started.state === 'training' && started.threads === 2 && started.threads_note === '', `start() resolved to ${JSON.stringify(started)}`);
  const end = await page.evaluate(() => window.latentpad.train.finished());
  expect(end.state === 'done' && end.threads === 2 && end.worker_tasks > 0, `the run ended ${JSON.stringify(end)}`);
  const file = join(work, 'threads.lpad');
  writeFileSync(file, Buffer.from(await page.evaluate(() => Array.from(window.latentpad.train.modelBytes()))));
  const evalLog = execFileSync(latentpad, ['eval', '--weights', file, '--data', mnistDir], { encoding: 'utf8' });
  const nativeMse = Number(/mse[^0-9]*([0-9.]+)/i.exec(evalLog)?.[1]);
  expect(Math.abs(nativeMse - end.test_mse) <= 1e-5 * Math.max(1, nativeMse) + 1e-6,
         `native eval of the model: ${nativeMse}, the page reported ${end.test_mse}`);
  expect(problems.length === 0, problems.join('; '));
  return `the worker thread ran ${end.worker_tasks} pool tasks, test MSE ${end.test_mse.toFixed(5)} (native ${nativeMse})`;
});

await browser.close();
server.close();
console.log(`firefox_e2e: ${passed} passed, ${failed} failed, ${((Date.now() - launched) / 1000).toFixed(1)} s after launch`);
process.exit(failed === 0 ? 0 : 1);

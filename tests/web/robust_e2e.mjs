// The page recovers and explains (issue 19) in headless Chromium:
// - the GPU context lost and restored: a "restoring graphics" notice while it
//   is lost, then the page draws exactly as before (same screenshot, the digit
//   on screen equal to decode() at the unchanged point) and keeps working;
// - a browser that lacks what the page needs (its wasm compiles rejected as
//   Safari before 16.4 rejects SIMD, no SIMD128, no WebGL2), the app's code
//   not downloadable, and a wasm abort or trap after the start: each shows a
//   message in the page saying what is wrong and what to do, `latentpad.ready`
//   rejects with it (when it had not settled) and `latentpad.error()` returns it.
//
// usage: node robust_e2e.mjs SITE_DIR [SCREENSHOT_DIR]
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { drawnTexels, expect, nextFrames, pngPixels, startBrowser } from './browser.mjs';

const [siteDir, shotDir] = process.argv.slice(2);
if (!siteDir) {
  console.error('usage: node robust_e2e.mjs SITE_DIR [SCREENSHOT_DIR]');
  process.exit(2);
}
if (shotDir) mkdirSync(shotDir, { recursive: true });

const { base, test, open, finish } = await startBrowser(siteDir);

// As in e2e.mjs: the screen pixel under each texel's centre shows that texel's
// byte, so the digit on screen is decode() to within 8-bit rounding (and one
// level to spare).
const SCREEN_TOLERANCE = 2 / 255;
const maxAbsDiff = (a, b) => a.reduce((worst, v, i) => Math.max(worst, Math.abs(v - b[i])), 0);
const latent = (page) => page.evaluate(() => window.latentpad.getLatent());

// The big digit on screen against decode() at the point; returns the difference.
async function digitVsDecode(page) {
  const { digit } = await page.evaluate(() => window.latentpad.layout());
  const shown = await drawnTexels(page, digit, 28);
  const { x, y } = await latent(page);
  const want = await page.evaluate(([x, y]) => Array.from(window.latentpad.decode(x, y)), [x, y]);
  return maxAbsDiff(shown, want);
}

// The whole page's pixels (RGBA) from a screenshot.
async function screenPixels(page) {
  return (await pngPixels(page, await page.screenshot())).rgba;
}
function pixelsDiffering(a, b) {
  if (a.length !== b.length) return Infinity;
  let n = 0;
  for (let i = 0; i < a.length; i += 4) {
    if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) n++;
  }
  return n;
}

// How `latentpad.ready` settles within ms: 'resolved: v', 'rejected: message' or 'pending'.
const readyOutcome = (page, ms = 20000) => page.evaluate((ms) => Promise.race([
  Promise.resolve(window.latentpad && window.latentpad.ready).then((v) => `resolved: ${v}`, (e) => `rejected: ${e && e.message}`),
  new Promise((done) => setTimeout(() => done('pending'), ms)),
]), ms);

// The page-level message: its text when it is shown, else '' (waits up to ms).
async function shownMessage(page, ms = 20000) {
  try {
    await page.waitForSelector('#lp-message', { state: 'visible', timeout: ms });
  } catch (error) {
    return '';
  }
  return page.evaluate(() => document.getElementById('lp-message').innerText);
}

// The checks every failure shares: a visible message matching `pattern`,
// `ready` rejected with that same message (unless it had resolved before),
// error() returning it, and the canvas no longer shown.
async function expectFailureShown(page, pattern, { readyRejects = true } = {}) {
  const text = await shownMessage(page);
  expect(text !== '', 'no message is shown in the page');
  expect(pattern.test(text), `the message does not say what is wrong: '${text}'`);
  const error = await page.evaluate(() => window.latentpad.error());
  expect(pattern.test(error), `latentpad.error() is '${error}'`);
  const lines = text.split('\n').map((line) => line.trim()).filter(Boolean);
  expect(lines.every((line) => error.includes(line)), `the page says '${text}' but latentpad.error() '${error}'`);
  if (readyRejects) {
    const outcome = await readyOutcome(page);
    expect(outcome === `rejected: ${error}`, `latentpad.ready: ${outcome}; latentpad.error(): '${error}'`);
  }
  const canvasShown = await page.evaluate(() => getComputedStyle(document.getElementById('canvas')).visibility !== 'hidden');
  expect(!canvasShown, 'the frozen canvas is still shown');
  return error;
}

await test('a lost GPU context shows a notice, then the page draws exactly as before', async (page, problems) => {
  await open(page, '?z=0.3,-0.4');
  await page.waitForFunction(() => window.latentpad.manifold().serial > 0, null, { timeout: 20000 });
  await nextFrames(page, 4);
  const before = await screenPixels(page);
  const point = await latent(page);
  expect(await digitVsDecode(page) <= SCREEN_TOLERANCE, 'the digit on screen is not decode() before the loss');

  await page.evaluate(() => {
    window.loseContextExtension = document.getElementById('canvas').getContext('webgl2').getExtension('WEBGL_lose_context');
    window.loseContextExtension.loseContext();
  });
  const lost = await page.waitForFunction(() => {
    const notice = document.getElementById('lp-notice');
    return notice && !notice.hidden && notice.offsetHeight > 0 && notice.innerText;
  }, null, { timeout: 5000 }).then((handle) => handle.jsonValue(), () => '');
  expect(/restoring graphics/i.test(lost), `no "restoring graphics" notice while the context is lost (notice: '${lost}')`);
  if (shotDir) await page.screenshot({ path: join(shotDir, 'context-lost.png') });

  await page.evaluate(() => window.loseContextExtension.restoreContext());
  await page.waitForFunction(() => !document.getElementById('canvas').getContext('webgl2').isContextLost(), null, { timeout: 5000 });
  await page.waitForFunction(() => document.getElementById('lp-notice').hidden, null, { timeout: 5000 });
  await nextFrames(page, 4);
  if (shotDir) await page.screenshot({ path: join(shotDir, 'context-restored.png') });

  const after = await latent(page);
  expect(after.x === point.x && after.y === point.y, `the point moved from (${point.x}, ${point.y}) to (${after.x}, ${after.y})`);
  const digit = await digitVsDecode(page);
  expect(digit <= SCREEN_TOLERANCE, `after the restore the digit on screen differs from decode() by ${digit.toFixed(4)}`);
  const changed = pixelsDiffering(before, await screenPixels(page));
  expect(changed === 0, `after the restore ${changed} screen pixels differ from before the loss`);

  // New textures take later changes too.
  await page.evaluate(() => window.latentpad.setLatent(-0.5, 0.5));
  await nextFrames(page, 4);
  const moved = await digitVsDecode(page);
  expect(moved <= SCREEN_TOLERANCE, `a point set after the restore is drawn ${moved.toFixed(4)} away from decode()`);
  expect(problems.length === 0, problems.join('; '));
  return `digit vs decode ${digit.toFixed(4)}, 0 pixels changed`;
});

// Safari before 16.4 refuses SIMD modules this way.
const REJECT_WASM = () => {
  const refuse = () => Promise.reject(new WebAssembly.CompileError('invalid opcode 253'));
  WebAssembly.compile = refuse;
  WebAssembly.instantiate = refuse;
  WebAssembly.instantiateStreaming = refuse;
  WebAssembly.compileStreaming = refuse;
};

await test('rejected wasm compiles show a message and reject latentpad.ready', async (page) => {
  await page.addInitScript(REJECT_WASM);
  await page.goto(base);
  const error = await expectFailureShown(page, /could not compile[\s\S]*invalid opcode 253[\s\S]*SIMD128[\s\S]*Safari 16\.4/);
  const layout = await page.evaluate(() => { try { window.latentpad.layout(); return 'no error'; } catch (e) { return e.message; } });
  expect(layout === error, `layout() threw '${layout}'`);
  if (shotDir) await page.screenshot({ path: join(shotDir, 'compile-rejected.png') });
});

await test('a browser without WebAssembly SIMD is told so before anything loads', async (page) => {
  await page.addInitScript(() => { WebAssembly.validate = () => false; });
  const wasmFetched = [];
  page.on('request', (request) => { if (request.url().endsWith('.wasm')) wasmFetched.push(request.url()); });
  await page.goto(base);
  await expectFailureShown(page, /SIMD[\s\S]*Chrome 91[\s\S]*Firefox 89[\s\S]*Safari 16\.4/);
  expect(wasmFetched.length === 0, `it still fetched ${wasmFetched.join(', ')}`);
});

await test('a browser without WebGL2 shows a message', async (page) => {
  await page.addInitScript(() => {
    const getContext = HTMLCanvasElement.prototype.getContext;
    HTMLCanvasElement.prototype.getContext = function (type, ...rest) {
      return type === 'webgl2' ? null : getContext.call(this, type, ...rest);
    };
  });
  await page.goto(base);
  await expectFailureShown(page, /WebGL2[\s\S]*Chrome 56[\s\S]*Firefox 51[\s\S]*Safari 15/);
  if (shotDir) await page.screenshot({ path: join(shotDir, 'no-webgl2.png') });
});

await test('the app\'s wasm not downloadable shows a message', async (page) => {
  await page.route('**/latentpad.wasm', (route) => route.fulfill({ status: 404, body: 'not found' }));
  await page.goto(base);
  await expectFailureShown(page, /could not download latentpad\.wasm[\s\S]*reload/i);
});

await test('a wasm abort after the start shows a message', async (page) => {
  await open(page);
  await page.evaluate(() => { try { window.abort('simulated failure'); } catch (error) { /* abort() throws after onAbort */ } });
  await expectFailureShown(page, /LatentPad stopped[\s\S]*simulated failure[\s\S]*Reload/, { readyRejects: false });
  expect(await readyOutcome(page) === 'resolved: true', 'latentpad.ready changed after it had resolved');
});

await test('a wasm trap in a frame shows a message', async (page) => {
  await open(page);
  await page.evaluate(() => setTimeout(() => { throw new WebAssembly.RuntimeError('unreachable executed'); }));
  await expectFailureShown(page, /LatentPad stopped[\s\S]*unreachable executed[\s\S]*Reload/, { readyRejects: false });
});

await finish('robust_e2e');

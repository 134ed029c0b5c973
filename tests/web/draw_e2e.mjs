// The encoder's half of the page, end to end in headless Chromium:
//   - latentpad.encode of test images matches native `latentpad encode` to 1e-4;
//   - a vertical stroke drawn with the mouse lands among the 1s, and its
//     marker on the pad moves while it is drawn; Clear empties the input;
//   - a touch drawing works at a phone-sized viewport (390x844);
//   - the walk strip's ends on screen are decode() of its endpoints.
//
// usage: node draw_e2e.mjs SITE_DIR LATENTPAD_BINARY MNIST_DIR [SCREENSHOT_DIR]
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { drawnTexels, expect, nextFrames, startBrowser } from './browser.mjs';

const [siteDir, latentpad, dataDir, shotDir] = process.argv.slice(2);
if (!dataDir) {
  console.error('usage: node draw_e2e.mjs SITE_DIR LATENTPAD_BINARY MNIST_DIR [SCREENSHOT_DIR]');
  process.exit(2);
}
const { test, open, finish } = await startBrowser(siteDir);
const layout = (page) => page.evaluate(() => window.latentpad.layout());
const info = (page) => page.evaluate(() => window.latentpad.drawingInfo(10));
const maxAbsDiff = (a, b) => a.reduce((worst, v, i) => Math.max(worst, Math.abs(v - b[i])), 0);

async function showPanel(page, name) {
  await page.evaluate((name) => window.latentpad.showPanel(name), name);
  await nextFrames(page, 4);
}

// A vertical stroke down the middle of the canvas, in `steps` moves; calls
// after(k) after move k.
async function drawVertical(page, steps, after = async () => {}) {
  const [x, y, w, h] = (await layout(page)).draw_rect;
  expect(w > 50 && h > 50, `the draw canvas is ${w}x${h}`);
  await page.mouse.move(x + w * 0.5, y + h * 0.15);
  await page.mouse.down();
  for (let k = 1; k <= steps; k++) {
    await page.mouse.move(x + w * 0.5, y + h * (0.15 + (0.7 * k) / steps));
    await after(k);
  }
  await page.mouse.up();
  await nextFrames(page);
}

await test('latentpad.encode of test images matches native latentpad encode', async (page, problems) => {
  await open(page);
  const images = readFileSync(join(dataDir, 't10k-images-idx3-ubyte')).subarray(16, 16 + 32 * 784);
  const ours = await page.evaluate((bytes) => {
    const out = [];
    for (let i = 0; i < 32; i++) {
      const { x, y } = window.latentpad.encode(bytes.slice(784 * i, 784 * (i + 1)).map((b) => b / 255));
      out.push(x, y);
    }
    return out;
  }, Array.from(images));
  const csv = execFileSync(latentpad, ['encode', '--weights', join(siteDir, 'model.lpad'), '--data', dataDir, '--count', '32'],
                           { encoding: 'utf8' });
  const native = csv.trim().split('\n').slice(1).flatMap((line) => line.split(',').slice(2).map(Number));
  const worst = maxAbsDiff(ours, native);
  expect(native.length === 64 && worst <= 1e-4, `encode differs from native by up to ${worst}`);
  let refused = '';
  try { await page.evaluate(() => window.latentpad.encode(new Float32Array(10))); } catch (error) { refused = error.message; }
  expect(/expected 784 pixel values/.test(refused), `a wrong-sized input gave '${refused}'`);
  expect(problems.length === 0, problems.join('; '));
  return `32 codes, max difference ${worst.toExponential(1)}`;
});

await test('a vertical stroke lands among the 1s, its marker moves while drawing, and Clear empties the input', async (page, problems) => {
  await open(page);
  await showPanel(page, 'draw');
  const codes = [];
  await drawVertical(page, 8, async (k) => {
    if (k % 2 === 0) {
      await nextFrames(page, 1);
      const { x, y } = await info(page);
      codes.push([x, y]);
    }
  });
  const moved = codes.slice(1).filter(([x, y], i) => Math.hypot(x - codes[i][0], y - codes[i][1]) > 1e-4).length;
  expect(moved >= 2, `the drawing's code moved ${moved} times in ${codes.length} looks while drawing: ${JSON.stringify(codes)}`);
  const drawn = await info(page);
  const ones = drawn.nearest.filter((label) => label === 1).length;
  expect(drawn.ink && ones >= 6, `the stroke's 10 nearest test codes are ${drawn.nearest.join(',')}`);
  // The input is MNIST-like: a centred, upright bar.
  const input = Array.from(await page.evaluate(() => window.latentpad.drawing()));
  // Rows with ink span the 20-pixel box from row 4 to 23; columns hug the centre.
  const rows = [], columns = [];
  for (let i = 0; i < 28 * 28; i++) if (input[i] > 0.1) rows.push(Math.floor(i / 28)), columns.push(i % 28);
  const [top, bottom] = [Math.min(...rows), Math.max(...rows)], [left, right] = [Math.min(...columns), Math.max(...columns)];
  expect(top === 4 && bottom === 23 && left >= 11 && right <= 16,
         `the 28x28 input is not a centred vertical bar 20 pixels tall: rows ${top}-${bottom}, columns ${left}-${right}`);
  // The orange cross is on the pad where the code is.
  const { pad, range } = await layout(page);
  const sx = pad[0] + ((drawn.x + range) / (2 * range)) * pad[2], sy = pad[1] + ((range - drawn.y) / (2 * range)) * pad[3];
  const png = await page.screenshot({ clip: { x: Math.round(sx) - 12, y: Math.round(sy) - 12, width: 24, height: 24 } });
  const orange = await page.evaluate(async (url) => {
    const image = new Image();
    image.src = url;
    await image.decode();
    const canvas = Object.assign(document.createElement('canvas'), { width: image.width, height: image.height });
    const context = canvas.getContext('2d');
    context.drawImage(image, 0, 0);
    const rgba = context.getImageData(0, 0, image.width, image.height).data;
    let count = 0;
    for (let i = 0; i < rgba.length; i += 4) if (rgba[i] > 230 && rgba[i + 1] > 120 && rgba[i + 1] < 180 && rgba[i + 2] < 80) count++;
    return count;
  }, `data:image/png;base64,${png.toString('base64')}`);
  expect(orange >= 10, `no orange marker at the drawing's code (${orange} orange pixels)`);
  // Clear, with the real button.
  const [cx, cy, cw, ch] = (await layout(page)).draw_clear;
  await page.mouse.click(cx + cw / 2, cy + ch / 2);
  await nextFrames(page);
  const cleared = Array.from(await page.evaluate(() => window.latentpad.drawing()));
  expect(cleared.every((v) => v === 0) && !(await info(page)).ink, 'Clear left ink in the input');
  // A scribble reads as unusual on the meter; the clean stroke did not.
  const [x, y, w, h] = (await layout(page)).draw_rect;
  await page.mouse.move(x + w * 0.1, y + h * 0.1);
  await page.mouse.down();
  for (let i = 0; i < 30; i++) await page.mouse.move(x + w * (0.1 + (0.8 * ((i * 7) % 11)) / 10), y + h * (0.1 + (0.8 * ((i * 5) % 13)) / 12));
  await page.mouse.up();
  await nextFrames(page);
  const scribble = await info(page);
  expect(drawn.percentile < 50 && scribble.percentile >= 95,
         `the unusual-input meter: ${drawn.percentile} % for the stroke, ${scribble.percentile} % for a scribble`);
  expect(problems.length === 0, problems.join('; '));
  return `code (${drawn.x.toFixed(3)}, ${drawn.y.toFixed(3)}), nearest ${drawn.nearest.join('')}, ${orange} marker pixels, ` +
         `unusual ${drawn.percentile} % (stroke) vs ${scribble.percentile} % (scribble)`;
});

await test('a touch drawing works at a phone-sized viewport', async (page, problems) => {
  await open(page);
  await showPanel(page, 'draw');
  const { draw_rect: [x, y, w, h], pad } = await layout(page);
  expect(y + h <= 844 && x + w <= 390, `the canvas [${x}, ${y}, ${w}, ${h}] is not on the 390x844 screen`);
  expect(pad[1] + pad[3] <= y, 'the pad and the canvas overlap');
  const cdp = await page.context().newCDPSession(page);
  const touch = (type, px, py) => cdp.send('Input.dispatchTouchEvent', { type, touchPoints: type === 'touchEnd' ? [] : [{ x: px, y: py }] });
  await touch('touchStart', x + w * 0.5, y + h * 0.15);
  for (let k = 1; k <= 8; k++) await touch('touchMove', x + w * 0.5, y + h * (0.15 + 0.0875 * k));
  await touch('touchEnd');
  await nextFrames(page, 4);
  const drawn = await info(page);
  expect(drawn.ink, 'the touch stroke left no ink');
  if (shotDir) {
    mkdirSync(shotDir, { recursive: true });
    await page.screenshot({ path: join(shotDir, 'phone.png') });
  }
  expect(problems.length === 0, problems.join('; '));
  return `code (${drawn.x.toFixed(3)}, ${drawn.y.toFixed(3)}), nearest ${drawn.nearest.join('')}`;
}, { viewport: { width: 390, height: 844 } });

await test("the walk strip's ends on screen are decode() of its endpoints, also after the model changed while it was hidden", async (page, problems) => {
  await open(page);
  const decode = (code) => page.evaluate(([cx, cy]) => Array.from(window.latentpad.decode(cx, cy)), code);
  // The strip's first and last cells against decode() of the endpoints.
  const ends = async () => {
    await showPanel(page, 'walk');
    const { walk: [x, y, w, h], walk_from: from, walk_to: to, walk_steps: steps } = await layout(page);
    const cell = w / steps;
    const first = await drawnTexels(page, [x, y, cell, h], 28), last = await drawnTexels(page, [x + w - cell, y, cell, h], 28);
    return { first, from: maxAbsDiff(first, await decode(from)), to: maxAbsDiff(last, await decode(to)), other: await decode(to) };
  };
  const shipped = await ends();
  expect(shipped.from <= 2 / 255 && shipped.to <= 2 / 255,
         `the strip's ends differ from decode() of the endpoints by ${shipped.from} and ${shipped.to}`);
  // And the ends are not interchangeable: the check can tell them apart.
  expect(maxAbsDiff(shipped.first, shipped.other) > 0.1, 'the first cell also matches the other endpoint');
  // A hidden Walk panel decodes nothing, so a new model (here the VAE) must
  // redraw the strips when the panel opens again.
  await showPanel(page, 'draw');
  await page.evaluate(() => window.latentpad.setModelKind('vae'));
  await nextFrames(page, 3);
  const vae = await ends();
  expect(vae.from <= 2 / 255 && vae.to <= 2 / 255,
         `after a model change while hidden, the strip's ends differ from decode() by ${vae.from} and ${vae.to}`);
  expect(problems.length === 0, problems.join('; '));
  return `ends within ${Math.max(shipped.from, shipped.to, vae.from, vae.to).toFixed(4)} of decode(), before and after`;
});

await test("a model the user loads gets its codes of all 10,000 test images in the scatter", async (page, problems) => {
  await open(page);
  // The site's own model, loaded as the user's: the bundled 1,000 codes first,
  // then the whole test set, fetched and encoded in the decode workers.
  await page.setInputFiles('#model-file', join(siteDir, 'model.lpad'));
  expect(await page.evaluate(() => window.latentpad.lastUserLoad()), 'the model did not load');
  const t0 = Date.now();
  while (await page.evaluate(() => window.latentpad.userModelCodes()) === 0) {
    expect(Date.now() - t0 < 30000, 'the whole test set was not encoded within 30 s');
    await new Promise((done) => setTimeout(done, 100));
  }
  const codes = Array.from(await page.evaluate(() => window.latentpad.scatterCodes()));
  const csv = execFileSync(latentpad, ['encode', '--weights', join(siteDir, 'model.lpad'), '--data', dataDir, '--count', '10000'],
                           { encoding: 'utf8', maxBuffer: 1 << 24 });
  const native = csv.trim().split('\n').slice(1).flatMap((line) => line.split(',').slice(2).map(Number));
  const worst = maxAbsDiff(codes, native);
  expect(codes.length === 20000 && native.length === 20000 && worst <= 1e-4,
         `${codes.length / 2} codes in the scatter, differing from native encode by up to ${worst}`);
  expect(problems.length === 0, problems.join('; '));
  return `10,000 codes in ${((Date.now() - t0) / 1000).toFixed(1)} s, max difference from native ${worst.toExponential(1)}`;
});

await test('the data set switch shows the shipped Fashion-MNIST model, fetched only when chosen', async (page, problems) => {
  const requested = [];
  page.on('request', (request) => requested.push(new URL(request.url()).pathname));
  await open(page);
  expect(!requested.some((path) => path.startsWith('/fashion/')), 'the first load fetched Fashion-MNIST files');
  const decodeAt = () => page.evaluate(() => Array.from(window.latentpad.decode(0.3, -0.2)));
  const nativeAt = (weights) => execFileSync(latentpad, ['decode', '--weights', weights, '--z=0.3,-0.2'], { encoding: 'utf8' })
    .trim().split(/\s+/).map(Number);
  await page.evaluate(() => window.latentpad.setDataset('fashion'));
  const fashion = maxAbsDiff(await decodeAt(), nativeAt(join(siteDir, 'fashion/model.lpad')));
  expect(fashion <= 1e-5, `after the switch the page decodes ${fashion} away from the Fashion model`);
  expect((await page.evaluate(() => window.latentpad.scatterCodes())).length === 20000, 'the scatter does not show 10,000 Fashion codes');
  expect(requested.some((path) => path === '/fashion/model.lpad'), 'the Fashion model was not fetched');
  await page.evaluate(() => window.latentpad.setDataset('mnist'));
  const mnist = maxAbsDiff(await decodeAt(), nativeAt(join(siteDir, 'model.lpad')));
  expect(mnist <= 1e-5, `back on MNIST the page decodes ${mnist} away from the MNIST model`);
  expect(problems.length === 0, problems.join('; '));
  return `Fashion within ${fashion.toExponential(1)}, MNIST again within ${mnist.toExponential(1)} of native`;
});

await finish('draw e2e');

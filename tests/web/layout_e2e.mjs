// Sharp, readable, scrollable panels, in headless Chromium:
//   - no label, value or sentence is clipped, in any panel, at a 390x844 phone
//     viewport and at 1280x800 (layout().clipped: the app's own check, with
//     ImGui::CalcTextSize, of every item against the width it was given);
//   - a finger swipe on a panel's empty area scrolls the panel (its scroll
//     position in layout().scroll changes), and a swipe back scrolls it back;
//   - when the device pixel ratio changes (emulated through the DevTools
//     protocol, and as a screen change without a resize event), the canvas
//     backing store follows (canvas.width == round(cssWidth * dpr)) and the
//     font atlas is rasterised again at the new ratio (layout().dpr);
//   - the Reconstruction and Walk panels name a test image the same way,
//     "test image N (a D)", D being that image's label.
//
// usage: node layout_e2e.mjs SITE_DIR
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, nextFrames, startBrowser } from './browser.mjs';

const [siteDir] = process.argv.slice(2);
if (!siteDir) {
  console.error('usage: node layout_e2e.mjs SITE_DIR');
  process.exit(2);
}
const { test, open, finish } = await startBrowser(siteDir);
const layout = (page) => page.evaluate(() => window.latentpad.layout());
const panels = ['manifold', 'reconstruction', 'draw', 'walk', 'train', 'compare'];
const phone = { width: 390, height: 844 };

// The test images' labels, as the site ships them (IDX1: magic, count, bytes).
const labelFile = readFileSync(join(siteDir, 'test-labels.idx'));
const testLabel = (i) => labelFile[8 + i];

async function showPanel(page, name) {
  await page.evaluate((name) => window.latentpad.showPanel(name), name);
  await nextFrames(page, 4);
}

// A zigzag scribble on the Draw canvas, so its readouts and meter show.
async function scribble(page) {
  const [x, y, w, h] = (await layout(page)).draw_rect;
  await page.mouse.move(x + w * 0.2, y + h * 0.2);
  await page.mouse.down();
  for (let k = 1; k <= 8; k++) await page.mouse.move(x + w * (k % 2 ? 0.8 : 0.2), y + h * (0.2 + 0.075 * k));
  await page.mouse.up();
  await nextFrames(page, 4);
  expect((await page.evaluate(() => window.latentpad.drawingInfo(1))).ink, 'the scribble left no ink');
}

// The Compare tab's default sides, loaded and drawn.
async function waitForCompare(page) {
  for (let i = 0; i < 100; ++i) {
    const [left, right] = (await layout(page)).compare;
    if (left[2] > 0 && right[2] > 0) return;
    await nextFrames(page, 2);
  }
  throw new Error('the Compare tab did not draw its two sides');
}

// Every panel at this viewport: nothing clipped, with a long code in the fields.
async function noneClipped(page) {
  await page.evaluate(() => window.latentpad.setLatent(-0.4937, 0.8125));
  const seen = [];
  for (const name of panels) {
    await showPanel(page, name);
    if (name === 'draw') await scribble(page);
    if (name === 'compare') await waitForCompare(page);
    const { clipped } = await layout(page);
    expect(Array.isArray(clipped), 'layout().clipped is missing');
    if (clipped.length > 0) seen.push(`${name}: ${clipped.join('; ')}`);
  }
  // A VAE's own controls: the grid's spacing, posterior sampling, the prior's samples.
  await page.evaluate(() => window.latentpad.setModelKind('vae'));
  for (const name of ['manifold', 'reconstruction']) {
    await showPanel(page, name);
    const { clipped } = await layout(page);
    if (clipped.length > 0) seen.push(`the VAE's ${name}: ${clipped.join('; ')}`);
  }
  expect(seen.length === 0, `clipped: ${seen.join(' | ')}`);
}

for (const viewport of [phone, { width: 1280, height: 800 }]) {
  await test(`no label or value is clipped at ${viewport.width}x${viewport.height}`, async (page, problems) => {
    await open(page);
    await noneClipped(page);
    expect(problems.length === 0, problems.join('; '));
  }, { viewport });
}

await test('a finger swipe on a panel scrolls it', async (page, problems) => {
  await open(page);
  const cdp = await page.context().newCDPSession(page);
  const touch = (type, px, py) => cdp.send('Input.dispatchTouchEvent', { type, touchPoints: type === 'touchEnd' ? [] : [{ x: px, y: py }] });
  const swipe = async (x, y, dy) => {
    await touch('touchStart', x, y);
    for (let k = 1; k <= 10; k++) await touch('touchMove', x, y + (dy * k) / 10);
    await touch('touchEnd');
    await nextFrames(page, 4);
  };
  // A panel taller than the room it has on a phone.
  let tall = null;
  for (const name of ['walk', 'train', 'draw', 'reconstruction']) {
    await showPanel(page, name);
    if ((await layout(page)).scroll[1] > 40) { tall = name; break; }
  }
  expect(tall, `no panel scrolls at 390x844: ${JSON.stringify((await layout(page)).scroll)}`);
  const before = await layout(page);
  // Start on the panel's opening sentence: text, not a widget.
  const [ix, iy, iw, ih] = before.intro;
  const [, py, , ph] = before.panels;
  expect(iw > 0 && iy >= py && iy + ih <= py + ph, `the ${tall} panel's opening sentence [${before.intro}] is not in the panel [${before.panels}]`);
  const z = await page.evaluate(() => window.latentpad.getLatent());
  await swipe(ix + iw / 2, iy + ih / 2, -120);
  const after = await layout(page);
  expect(after.scroll[0] > before.scroll[0] + 20,
         `swiping up 120 px over the ${tall} panel moved its scroll from ${before.scroll[0]} to ${after.scroll[0]}`);
  const z2 = await page.evaluate(() => window.latentpad.getLatent());
  expect(z2.x === z.x && z2.y === z.y, 'the swipe moved the latent point');
  // And back down: from the same sentence, now higher on the screen.
  const [jx, jy, jw, jh] = after.intro;
  await swipe(jx + jw / 2, Math.max(jy + jh / 2, after.panels[1] + 5), 200);
  const back = await layout(page);
  expect(back.scroll[0] < after.scroll[0], `swiping down did not scroll back (${after.scroll[0]} -> ${back.scroll[0]})`);
  expect(problems.length === 0, problems.join('; '));
  return `${tall}: scroll ${before.scroll[0]} -> ${after.scroll[0]} -> ${back.scroll[0]} of ${before.scroll[1]}`;
}, { viewport: phone });

// The canvas's backing store and the atlas's scale against the page's devicePixelRatio.
async function sharpAt(page, dpr) {
  await nextFrames(page, 4);
  const seen = await page.evaluate(() => {
    const canvas = document.getElementById('canvas');
    const css = canvas.getBoundingClientRect();
    return { dpr: window.devicePixelRatio, width: canvas.width, height: canvas.height, cssWidth: css.width, cssHeight: css.height,
             layout: window.latentpad.layout() };
  });
  expect(seen.dpr === dpr, `devicePixelRatio is ${seen.dpr}, not ${dpr}`);
  const want = [Math.round(seen.cssWidth * dpr), Math.round(seen.cssHeight * dpr)];
  expect(Math.abs(seen.width - want[0]) <= 1 && Math.abs(seen.height - want[1]) <= 1,
         `at devicePixelRatio ${dpr} the canvas is ${seen.width}x${seen.height} for ${seen.cssWidth}x${seen.cssHeight} CSS px (want ${want.join('x')})`);
  expect(seen.layout.dpr === dpr, `at devicePixelRatio ${dpr} the font atlas is rasterised for ${seen.layout.dpr}`);
  expect(Math.abs(seen.layout.font_scale * dpr - 1) < 1e-6, `font scale ${seen.layout.font_scale} at devicePixelRatio ${dpr}`);
  expect(seen.layout.clipped.length === 0, `clipped at devicePixelRatio ${dpr}: ${seen.layout.clipped.join('; ')}`);
  return `${seen.width}x${seen.height}`;
}

await test('the canvas and the font follow a device pixel ratio change', async (page, problems) => {
  await open(page);
  const notes = [await sharpAt(page, 1)];
  const cdp = await page.context().newCDPSession(page);
  for (const dpr of [2, 1.5, 1]) {
    await cdp.send('Emulation.setDeviceMetricsOverride', { width: 1280, height: 800, deviceScaleFactor: dpr, mobile: false });
    notes.push(await sharpAt(page, dpr));
  }
  await cdp.send('Emulation.clearDeviceMetricsOverride');
  // A window dragged to a denser screen: the ratio changes, the CSS size and
  // the window do not, and no resize event comes.
  await page.evaluate(() => Object.defineProperty(window, 'devicePixelRatio', { get: () => 2, configurable: true }));
  notes.push(await sharpAt(page, 2));
  expect(problems.length === 0, problems.join('; '));
  return notes.join(' -> ');
});

await test('the Reconstruction and Walk panels name test images the same way', async (page, problems) => {
  await open(page);
  await showPanel(page, 'reconstruction');
  await showPanel(page, 'walk');
  const { names } = await layout(page);
  expect(names && names.reconstruction && names.walk, `layout().names is ${JSON.stringify(names)}`);
  const shown = [names.reconstruction, ...names.walk];
  for (const name of shown) {
    const match = /^test image (\d+) \(a (\d)\)$/.exec(name);
    expect(match, `"${name}" does not read "test image N (a D)"`);
    expect(Number(match[2]) === testLabel(Number(match[1])),
           `"${name}": test image ${match[1]} is a ${testLabel(Number(match[1]))}`);
  }
  expect(problems.length === 0, problems.join('; '));
  return shown.join(', ');
});

// The text is set in DejaVu Sans (subset at build time and embedded in the
// app), not ImGui's built-in debug font, and stays so when the atlas is
// rasterised again for another device pixel ratio.
await test('the panels are set in DejaVu Sans', async (page, problems) => {
  const warnings = [];
  page.on('console', (message) => { if (/font/i.test(message.text())) warnings.push(message.text()); });
  await open(page);
  const seen = [(await layout(page)).font];
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setDeviceMetricsOverride', { width: 1280, height: 800, deviceScaleFactor: 2, mobile: false });
  await nextFrames(page, 4);
  const atTwo = await layout(page);
  expect(atTwo.dpr === 2, `the font atlas was not rebuilt at devicePixelRatio 2 (layout().dpr ${atTwo.dpr})`);
  seen.push(atTwo.font);
  for (const font of seen) expect(font === 'DejaVu Sans (subset)', `layout().font is ${JSON.stringify(font)}, not "DejaVu Sans (subset)"`);
  expect(warnings.length === 0, `font warnings: ${warnings.join('; ')}`);
  expect(problems.length === 0, problems.join('; '));
  return seen.join(', ');
});

await finish('layout_e2e');

// The harness of the browser tests (e2e.mjs, train_e2e.mjs): the site served
// on localhost, Debian's Chromium driven by npm playwright-core, one fresh
// browser context per test, and a count of passes and failures.
import { startServer } from '../../tools/lib/serve.mjs';

const { chromium } = await import(new URL('../../tools/node_modules/playwright-core/index.mjs', import.meta.url));

export function expect(condition, message) { if (!condition) throw new Error(message); }

export const nextFrames = (page, n = 3) => page.evaluate((n) => new Promise((done) => {
  const step = (k) => (k === 0 ? done() : requestAnimationFrame(() => step(k - 1)));
  step(n);
}), n);

// The side x side texels of a texture drawn at rect ([x, y, w, h] in CSS
// pixels, as layout() reports it), read from a screenshot at the pixel under
// each texel's centre, as values in [0,1]. That pixel's own centre is within
// half a pixel of the texel's, so it shows that texel whenever texels are over
// a pixel wide; 2 leaves room for layout()'s rounding to 0.1 px.
// A screenshot (PNG bytes: a Buffer from Playwright, a Uint8Array from
// Puppeteer) decoded in the page: { width, height, rgba } with rgba a plain array.
export async function pngPixels(page, png) {
  return page.evaluate(async (dataUrl) => {
    const image = new Image();
    image.src = dataUrl;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    const context = canvas.getContext('2d');
    context.drawImage(image, 0, 0);
    return { width: image.width, height: image.height,
             rgba: Array.from(context.getImageData(0, 0, image.width, image.height).data) };
  }, `data:image/png;base64,${Buffer.from(png).toString('base64')}`);
}

export async function drawnTexels(page, [x, y, w, h], side) {
  expect(w / side >= 2 && h / side >= 2, `${side}x${side} texels drawn on ${w}x${h} px: too small to read back`);
  const left = Math.floor(x), top = Math.floor(y);
  const png = await page.screenshot({ clip: { x: left, y: top, width: Math.ceil(x + w) - left, height: Math.ceil(y + h) - top } });
  const { width, rgba } = await pngPixels(page, png);
  return Array.from({ length: side * side }, (_, i) => {
    const px = Math.floor(x + (i % side + 0.5) * w / side) - left, py = Math.floor(y + (Math.floor(i / side) + 0.5) * h / side) - top;
    return rgba[4 * (py * width + px)] / 255;
  });
}
// isolated: false serves the site without the COOP/COEP headers (a plain
// static host: no SharedArrayBuffer, so training runs on one thread).
// The page's training status (latentpad.train.status()).
export const trainStatus = (page) => page.evaluate(() => window.latentpad.train.status());

// Polls condition() every 50 ms until it gives something truthy, and returns
// that; fails after `seconds`, naming `what` and the training status.
export async function waitFor(page, what, condition, seconds = 60) {
  const t0 = Date.now();
  for (;;) {
    const value = await condition();
    if (value) return value;
    expect(Date.now() - t0 < seconds * 1000, `timed out after ${seconds} s waiting for ${what}: ${JSON.stringify(await trainStatus(page))}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

export async function startBrowser(siteDir, { isolated = true } = {}) {
  const server = await startServer(siteDir, 0, '127.0.0.1', { isolated });
  const base = `http://127.0.0.1:${server.address().port}/`;
  const browser = await chromium.launch({
    executablePath: process.env.LATENTPAD_CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync',
           '--enable-unsafe-swiftshader'],
  });
  let passed = 0, failed = 0;
  return {
    base,
    // Runs body(page, problems) in a fresh context; console errors and page
    // errors are collected in `problems` for the test to check.
    async test(name, body, { viewport = { width: 1280, height: 800 } } = {}) {
      const context = await browser.newContext({ viewport, hasTouch: true });
      const page = await context.newPage();
      const problems = [];
      page.on('console', (message) => { if (message.type() === 'error') problems.push(`console error: ${message.text()}`); });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      try {
        const note = await body(page, problems);
        console.log(`ok   ${name}${note ? ` (${note})` : ''}`);
        passed++;
      } catch (error) {
        console.log(`FAIL ${name}: ${error.message}`);
        failed++;
      } finally {
        await context.close();
      }
    },
    // Opens the page and waits for its model.
    async open(page, query = '') {
      await page.goto(base + query);
      expect(await page.evaluate(() => window.latentpad.ready),
             `model did not load: ${await page.evaluate(() => window.latentpad.error())}`);
      await nextFrames(page);
    },
    // Closes everything, prints "NAME: N passed, N failed" and exits (with
    // exit: false, returns the failures instead).
    async finish(name, { exit = true } = {}) {
      await browser.close();
      server.close();
      console.log(`${name}: ${passed} passed, ${failed} failed`);
      if (exit) process.exit(failed === 0 ? 0 : 1);
      return failed;
    },
  };
}

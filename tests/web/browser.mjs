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

export async function startBrowser(siteDir) {
  const server = await startServer(siteDir, 0);
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
    // Closes everything, prints "NAME: N passed, N failed" and exits.
    async finish(name) {
      await browser.close();
      server.close();
      console.log(`${name}: ${passed} passed, ${failed} failed`);
      process.exit(failed === 0 ? 0 : 1);
    },
  };
}

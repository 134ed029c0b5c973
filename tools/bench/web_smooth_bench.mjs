// Smoothness of the page while it trains, in headless Chromium: the frame
// intervals (median, p95) and the long tasks (over 50 ms) while the point
// moves every frame, idle and during a 30,000-image run, first with the
// default panel open and then with the Draw panel open on a drawing (whose
// "unusual input" meter needs the test images' reconstruction errors under
// every new model); and the main-thread cost of each training snapshot
// (latentpad.benchSnapshots(): its handler plus the frame after it).
// Prints figures only; nothing is asserted. Goal on an idle machine: no long
// task while training, p95 within 1.5x idle, every snapshot under 16 ms.
//
// usage: node web_smooth_bench.mjs SITE_DIR [SECONDS_PER_WINDOW]
import { startServer } from '../lib/serve.mjs';
import { formatSmoothness, formatSnapshots, smoothness } from './frames.mjs';

const { chromium } = await import(new URL('../node_modules/playwright-core/index.mjs', import.meta.url));
const [siteDir, secondsArg] = process.argv.slice(2);
if (!siteDir) {
  console.error('usage: node web_smooth_bench.mjs SITE_DIR [SECONDS_PER_WINDOW]');
  process.exit(2);
}
const windowMs = 1000 * Number(secondsArg || 8);

const server = await startServer(siteDir, 0);
const browser = await chromium.launch({
  executablePath: process.env.LATENTPAD_CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-unsafe-swiftshader'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
await page.goto(`http://127.0.0.1:${server.address().port}/`);
await page.evaluate(() => window.latentpad.ready);
const hasSnapshotApi = await page.evaluate(() => typeof window.latentpad.benchSnapshots === 'function');
const frames = (n) => page.evaluate((n) => new Promise((done) => {
  const step = (k) => (k === 0 ? done() : requestAnimationFrame(() => step(k - 1)));
  step(n);
}), n);

// The training data first, so the windows below time training, not downloading.
await page.evaluate(() => window.latentpad.train.start({ epochs: 1, limit: 640 }).then(() => window.latentpad.train.finished()));

async function scenario(label) {
  await page.waitForTimeout(500);
  const idle = await smoothness(page, windowMs);
  console.log(formatSmoothness(`smooth ${label} idle`, idle));
  await page.evaluate(() => window.latentpad.train.start({ epochs: 5, limit: 30000, seed: 1 }));
  await page.waitForTimeout(1000);  // past the run's start-up
  if (hasSnapshotApi) await page.evaluate(() => window.latentpad.benchSnapshots({ reset: true }));
  const training = await smoothness(page, windowMs);
  const snapshots = hasSnapshotApi ? await page.evaluate(() => window.latentpad.benchSnapshots({ reset: true })) : null;
  const steps = await page.evaluate(() => window.latentpad.train.steps());
  await page.evaluate(() => window.latentpad.train.stop());
  console.log(formatSmoothness(`smooth ${label} training`, training) +
              ` (p95 ${(training.p95 / idle.p95).toFixed(2)}x idle; ${steps} steps)`);
  console.log(snapshots ? `${formatSnapshots(snapshots)} [${label}]` : 'snapshot_ms: this page has no latentpad.benchSnapshots()');
}

await scenario('default panel');

// The Draw panel with a drawing on it: the meter needs the test images'
// reconstruction errors under each new model.
await page.evaluate(() => window.latentpad.showPanel('draw'));
await frames(4);
const [x, y, w, h] = await page.evaluate(() => window.latentpad.layout().draw_rect);
await page.mouse.move(x + w * 0.5, y + h * 0.15);
await page.mouse.down();
for (let k = 1; k <= 12; k++) await page.mouse.move(x + w * (0.5 + 0.1 * Math.sin(k)), y + h * (0.15 + (0.7 * k) / 12));
await page.mouse.up();
await frames(3);
await scenario('draw panel, a drawing');

await browser.close();
server.close();

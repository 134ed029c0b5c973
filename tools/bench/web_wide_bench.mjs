// tools/bench/web_wide_bench.mjs SITE_DIR MODEL: the 32x32 manifold of a wide code
// in the page's decode workers, beside the tutorial's 2-D one, on one page: request
// to texture (benchManifold), and 1,024 whole codes through decodeBatch (the
// workers' decoding alone, the figure the 2-D goal is stated in). MODEL: a
// model file with a code wider than two, e.g. pytorch/examples' shape,
//   latentpad train --model vae --latent 20 --hidden 400 --activation relu \
//     --loss bce --batch 128 --epochs 1 --limit 2000 --out wide.lpad
// (the weights do not change the speed).
import { nextFrames, startBrowser } from '../../tests/web/browser.mjs';
const [site, model] = process.argv.slice(2);
if (!model) {
  console.error('usage: node tools/bench/web_wide_bench.mjs SITE_DIR MODEL');
  process.exit(2);
}
const { test, open, finish } = await startBrowser(site);
await test('the manifold of a wide code', async (page) => {
  await open(page);
  // 1,024 whole codes through the workers, median of 9.
  const batch = () => page.evaluate(async () => {
    const codes = new Float32Array(1024 * window.latentpad.model().latent).map((_, i) => Math.sin(i));
    const times = [];
    for (let r = 0; r < 9; ++r) {
      const t0 = performance.now();
      await window.latentpad.decodeBatch(codes);
      times.push(performance.now() - t0);
    }
    return times.sort((x, y) => x - y)[4];
  });
  const idle = await page.evaluate(() => window.latentpad.benchManifold(32, 9));
  const idleBatch = await batch();
  await page.setInputFiles('#model-file', model);
  if (!(await page.evaluate(() => window.latentpad.lastUserLoad()))) throw new Error(`the page refused ${model}`);
  const m = await page.evaluate(() => window.latentpad.model());
  await nextFrames(page, 10);
  const wide = await page.evaluate(() => window.latentpad.benchManifold(32, 9));
  const wideBatch = await batch();
  console.log(`manifold_32x32 tutorial 2-D: ${idle.ms.toFixed(1)} ms request to texture (${idle.workers} workers, median of 9)`);
  console.log(`manifold_32x32 ${m.kind} ${m.encoder.join('-')} | ${m.decoder.join('-')}: ${wide.ms.toFixed(1)} ms request to texture (${wide.workers} workers, median of 9)`);
  console.log(`decodeBatch 1024 codes in the workers: tutorial 2-D ${idleBatch.toFixed(1)} ms, ${m.latent}-D ${wideBatch.toFixed(1)} ms (medians of 9; one 60 Hz frame is 16.7 ms)`);
});
await finish('web_wide_bench');

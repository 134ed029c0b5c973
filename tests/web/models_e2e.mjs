// The page for any model (issue 20), in headless Chromium:
//   - pytorch/examples' VAE with a 20-D code (tests/fixtures/torch/
//     vae20_state_dict.pth), loaded as a .pth through the page's importer:
//     model() says what it is; decode(code) of 20-D codes and encode(pixels)
//     .code of test images match native `latentpad decode` / `encode` of the
//     same file imported natively, to 1e-5; on the PCA plane of its test codes
//     a drag on the pad moves code() along the plane's two directions only,
//     and a code set off the plane is kept;
//   - the shipped MNIST VAE (setModelKind('vae')): the page's decode of a grid
//     and mu of five test images match native's on the served model file;
//     the visible range is +-3, and setModelKind('ae') brings the
//     autoencoder back; "Sample from the prior" shows decode() of ten new
//     N(0, I) codes at each click;
//   - its reconstruction is from mu (native's), or with "sample z from the
//     posterior" from draws whose mean and spread are mu and sigma (native's
//     logvar), the image on screen and its MSE being those of the latest draw;
//   - Compare: compare({left, right}) puts two different models of one data
//     set side by side (layout().compare), 'current' is the page's model, and
//     two data sets are refused.
//
// usage: node models_e2e.mjs SITE_DIR LATENTPAD_BINARY FIXTURES_DIR MNIST_DIR
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drawnTexels, expect, nextFrames, startBrowser } from './browser.mjs';

const [siteDir, latentpad, fixtures, mnistDir] = process.argv.slice(2);
if (!mnistDir) {
  console.error('usage: node models_e2e.mjs SITE_DIR LATENTPAD_BINARY FIXTURES_DIR MNIST_DIR');
  process.exit(2);
}
const work = mkdtempSync(join(tmpdir(), 'latentpad-models-e2e-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const { test, open, finish } = await startBrowser(siteDir);
const maxAbsDiff = (a, b) => a.reduce((worst, v, i) => Math.max(worst, Math.abs(v - b[i])), 0);
const run = (...args) => execFileSync(latentpad, args, { encoding: 'utf8' });
const nativeDecode = (weights, code) => run('decode', '--weights', weights, `--z=${code.join(',')}`).trim().split(/\s+/).map(Number);
// Native codes (mu) of the first `count` test images: rows of numbers.
const nativeEncode = (weights, count) => run('encode', '--weights', weights, '--data', mnistDir, '--count', String(count))
  .trim().split('\n').slice(1).map((line) => line.split(',').slice(2).map(Number));
// The first test images' pixels in [0, 1], as the CLI reads them.
function testImages(count) {
  const bytes = readFileSync(join(mnistDir, 't10k-images-idx3-ubyte'));
  return Array.from({ length: count }, (_, i) => Array.from(bytes.subarray(16 + i * 784, 16 + (i + 1) * 784), (v) => v / 255));
}

await test('a 20-D VAE from a .pth: decode and encode match native, and a drag stays on the PCA plane', async (page, problems) => {
  await open(page);
  const pth = join(fixtures, 'vae20_state_dict.pth'), lpad = join(work, 'vae20.lpad');
  run('import', pth, '--out', lpad);
  await page.setInputFiles('#model-file', pth);
  expect(await page.evaluate(() => window.latentpad.lastUserLoad()) === true, `the page refused the file: ${await page.evaluate(() => window.latentpad.error())}`);
  const model = await page.evaluate(() => window.latentpad.model());
  expect(model.kind === 'variational autoencoder' && model.latent === 20 && model.encoder.join() === '784,32,20' &&
         model.decoder.join() === '20,32,784' && model.activation === 'relu', `model() = ${JSON.stringify(model)}`);
  expect((await page.evaluate(() => window.latentpad.code())).length === 20, 'code() is not 20 numbers');

  // Decoding whole codes.
  let worst = 0;
  const codes = [new Array(20).fill(0), Array.from({ length: 20 }, (_, k) => Math.sin(k + 1)),
                 Array.from({ length: 20 }, (_, k) => (k % 3) - 1)];
  for (const code of codes) {
    const page20 = await page.evaluate((z) => Array.from(window.latentpad.decode(z)), code);
    const native = nativeDecode(lpad, code);
    expect(native.length === 784 && page20.length === 784, `decode gave ${page20.length} and ${native.length} values`);
    worst = Math.max(worst, maxAbsDiff(page20, native));
  }
  expect(worst <= 1e-5, `decode(code) differs from native by ${worst}`);
  // Encoding test images: the full code.
  const images = testImages(5), nativeCodes = nativeEncode(lpad, 5);
  let worstCode = 0;
  for (let i = 0; i < 5; ++i) {
    const { code } = await page.evaluate((pixels) => {
      const r = window.latentpad.encode(pixels);
      return { code: Array.from(r.code) };
    }, images[i]);
    expect(code.length === 20, `encode(pixels).code has ${code.length} numbers`);
    worstCode = Math.max(worstCode, maxAbsDiff(code, nativeCodes[i]));
  }
  expect(worstCode <= 1e-5, `encode(pixels).code differs from native by ${worstCode}`);

  // The PCA plane of its test codes (all 10,000 once the workers encoded them).
  const t0 = Date.now();
  while (await page.evaluate(() => window.latentpad.userModelCodes()) === 0) {
    expect(Date.now() - t0 < 30000, 'the test set was not encoded within 30 s');
    await nextFrames(page, 5);
  }
  const plane = await page.evaluate(() => {
    const p = window.latentpad.setPlane({ pca: true });
    return { pca: p.pca, u: Array.from(p.u), v: Array.from(p.v), anchor: Array.from(p.anchor) };
  });
  const dot = (a, b) => a.reduce((sum, v, i) => sum + v * b[i], 0);
  expect(plane.pca && plane.u.length === 20 && Math.abs(dot(plane.u, plane.u) - 1) < 1e-4 &&
         Math.abs(dot(plane.u, plane.v)) < 1e-4, `plane() = ${JSON.stringify(plane)}`);
  // Off the plane first, then a drag: only the plane's directions change.
  const offPlane = Array.from({ length: 20 }, (_, k) => 0.1 * Math.cos(k));
  await page.evaluate((z) => window.latentpad.setCode(z), offPlane);
  await nextFrames(page, 3);
  const before = await page.evaluate(() => Array.from(window.latentpad.code()));
  expect(maxAbsDiff(before, offPlane) < 1e-6, 'setCode did not set the code');
  const { pad: [x, y, w, h], range } = await page.evaluate(() => window.latentpad.layout());
  const { x: a0, y: b0 } = await page.evaluate(() => window.latentpad.getLatent());
  const toScreen = (a, b) => [x + (a + range) / (2 * range) * w, y + (range - b) / (2 * range) * h];
  const [sx, sy] = toScreen(a0, b0), [ex, ey] = toScreen(a0 + range / 3, b0 - range / 4);
  await page.mouse.move(sx, sy);
  await page.mouse.down();
  await page.mouse.move(ex, ey, { steps: 8 });
  await page.mouse.up();
  await nextFrames(page, 3);
  const after = await page.evaluate(() => Array.from(window.latentpad.code()));
  const diff = after.map((v, k) => v - before[k]);
  const du = dot(diff, plane.u), dv = dot(diff, plane.v);
  const residual = Math.sqrt(diff.reduce((sum, d, k) => sum + (d - du * plane.u[k] - dv * plane.v[k]) ** 2, 0));
  expect(Math.abs(du) > 0.1 && Math.abs(dv) > 0.1, `the drag moved the code by only ${du} along u and ${dv} along v`);
  expect(residual < 1e-4, `the drag moved the code off the plane's directions by ${residual}`);
  expect(problems.length === 0, problems.join('; '));
  return `decode within ${worst.toExponential(1)}, encode within ${worstCode.toExponential(1)}; drag ${du.toFixed(3)} u + ${dv.toFixed(3)} v, off the plane ${residual.toExponential(1)}`;
});

await test('the shipped VAE: the page\'s grid and mu match native', async (page, problems) => {
  await open(page);
  await page.evaluate(() => window.latentpad.setModelKind('vae'));
  const model = await page.evaluate(() => window.latentpad.model());
  expect(model.kind === 'variational autoencoder' && model.latent === 2 && model.dataset === 'mnist', `model() = ${JSON.stringify(model)}`);
  expect((await page.evaluate(() => window.latentpad.layout())).range === 3, 'a VAE\'s visible range is not +-3');
  const served = join(siteDir, 'vae', 'model.lpad');
  const grid = [];
  for (const a of [-2, 0, 2]) for (const b of [-1.5, 0.5, 2.5]) grid.push([a, b]);
  const pageGrid = await page.evaluate(async (codes) => Array.from(await window.latentpad.decodeBatch(new Float32Array(codes.flat()))), grid);
  let worst = 0;
  grid.forEach((code, i) => { worst = Math.max(worst, maxAbsDiff(pageGrid.slice(i * 784, (i + 1) * 784), nativeDecode(served, code))); });
  expect(worst <= 1e-5, `the grid's digits differ from native by ${worst}`);
  const images = testImages(5), nativeCodes = nativeEncode(served, 5);
  let worstMu = 0;
  for (let i = 0; i < 5; ++i) {
    const code = await page.evaluate((pixels) => Array.from(window.latentpad.encode(pixels).code), images[i]);
    worstMu = Math.max(worstMu, maxAbsDiff(code, nativeCodes[i]));
  }
  expect(worstMu <= 1e-5, `mu of five test images differs from native by ${worstMu}`);

  // "Sample from the prior": each click draws ten new codes from N(0, I), and
  // the strip on screen shows decode() of each.
  await page.evaluate(() => window.latentpad.showPanel('manifold'));
  await nextFrames(page, 4);
  const priorStrip = async () => {
    const [bx, by, bw, bh] = (await page.evaluate(() => window.latentpad.layout())).prior_button;
    await page.mouse.click(bx + bw / 2, by + bh / 2);
    await nextFrames(page, 4);
    // The strip appears under the button, below the fold at this size: scroll the panel.
    for (let tries = 0; tries < 5; ++tries) {
      const { prior: [, py, , ph], panels: [, top, , height] } = await page.evaluate(() => window.latentpad.layout());
      if (ph > 0 && py + ph <= top + height) break;
      await page.mouse.wheel(0, 600);
      await nextFrames(page, 4);
    }
    const { count, codes } = await page.evaluate(() => {
      const p = window.latentpad.priorSamples();
      return { count: p.count, codes: Array.from(p.codes) };
    });
    const [x, y, w, h] = (await page.evaluate(() => window.latentpad.layout())).prior;
    // A cell is ~37 px for 28 texels, too few to read each texel: read 14 x 14
    // pixels, work out which texel each shows (the strip is drawn with
    // nearest filtering) and compare by the mean difference, with each digit's
    // own decode() and with its neighbour's, which must differ.
    const texel = (at, size, i) => Math.min(27, Math.floor((Math.floor(at + (i + 0.5) * size / 14) + 0.5 - at) / size * 28));
    // The mean difference between the 14 x 14 pixels read in the cell at cx
    // (cw wide) and the texels they show of `digit`.
    const meanDiff = (shown, digit, cx, cw) => shown.reduce((sum, v, i) =>
      sum + Math.abs(v - digit[texel(y, h, Math.floor(i / 14)) * 28 + texel(cx, cw, i % 14)]), 0) / shown.length;
    const decoded = [];
    for (let k = 0; k < count; ++k) {
      decoded.push(await page.evaluate((z) => Array.from(window.latentpad.decode(z)), codes.slice(2 * k, 2 * k + 2)));
    }
    // The neighbour comparison counts only where the two codes decode to
    // visibly different digits: random codes sometimes decode alike, and then
    // a cell is as close to its neighbour's digit as to its own.
    const digitsDiffer = (a, b) => a.reduce((sum, v, i) => sum + Math.abs(v - b[i]), 0) / a.length > 0.05;
    let off = 0, other = Infinity, pairs = 0;
    for (let k = 0; k < count; ++k) {
      const cx = x + (k * w) / count, cw = w / count;
      const shown = await drawnTexels(page, [cx, y, cw, h], 14);
      off = Math.max(off, meanDiff(shown, decoded[k], cx, cw));
      const next = decoded[(k + 1) % count];
      if (!digitsDiffer(decoded[k], next)) continue;
      other = Math.min(other, meanDiff(shown, next, cx, cw));
      ++pairs;
    }
    return { count, codes, off, other, pairs };
  };
  const first = await priorStrip(), second = await priorStrip();
  const spread = Math.sqrt(first.codes.reduce((sum, v) => sum + v * v, 0) / first.codes.length);
  expect(first.count === 10 && first.codes.length === 20, `the prior strip has ${first.count} codes`);
  expect(first.off <= 0.02 && second.off <= 0.02, `the prior strip differs from decode() of its codes by ${first.off}, ${second.off} on average`);
  expect(first.pairs + second.pairs >= 10 &&
         Math.min(first.other, second.other) > 2 * Math.max(first.off, second.off, 0.01),
         `the strip's digits are as close to their neighbours' codes (${first.other}, ${second.other}; ` +
         `${first.pairs + second.pairs} neighbours that decode differently) as to their own`);
  expect(spread > 0.4 && spread < 2, `the prior codes' root mean square is ${spread}, unlike N(0, I)`);
  expect(maxAbsDiff(first.codes, second.codes) > 0.1, 'a second click drew the same codes');
  await page.evaluate(() => window.latentpad.setModelKind('ae'));
  const back = await page.evaluate(() => [window.latentpad.model().kind, window.latentpad.layout().range]);
  expect(back[0] === 'autoencoder' && back[1] === 1, `after setModelKind('ae'): ${back}`);
  expect(problems.length === 0, problems.join('; '));
  return `grid within ${worst.toExponential(1)}, mu within ${worstMu.toExponential(1)}, prior strip within ${Math.max(first.off, second.off).toFixed(4)}`;
});

await test("the shipped VAE's reconstruction: from mu, or from z drawn from the posterior with its spread", async (page, problems) => {
  await open(page);
  await page.evaluate(() => window.latentpad.setModelKind('vae'));
  await page.evaluate(() => window.latentpad.showPanel('reconstruction'));
  await nextFrames(page, 4);
  const served = join(siteDir, 'vae', 'model.lpad');
  const reconstruction = () => page.evaluate(() => window.latentpad.reconstruction());
  const clickAt = async ([x, y, w, h]) => {
    expect(w > 0 && h > 0, 'a control to click is not on screen');
    await page.mouse.click(x + w / 2, y + h / 2);
    await nextFrames(page, 2);
  };
  const shown = await reconstruction();
  const row = run('encode', '--weights', served, '--data', mnistDir, '--count', String(shown.index + 1), '--logvar')
    .trim().split('\n').at(-1).split(',').slice(2).map(Number);
  const mu = row.slice(0, 2), sigma = row.slice(2, 4).map((logvar) => Math.exp(0.5 * logvar));
  expect(!shown.sampled && maxAbsDiff(shown.z, mu) <= 1e-5, `from mu, z is ${shown.z}, native mu ${mu}`);

  // Ticked: z = mu + sigma eps, a new draw at each "draw again".
  await clickAt((await page.evaluate(() => window.latentpad.layout())).recon_sample);
  const redraw = (await page.evaluate(() => window.latentpad.layout())).recon_redraw;
  const draws = [];
  for (let k = 0; k < 40; ++k) {
    const r = await reconstruction();
    expect(r.sampled, 'the posterior checkbox did not take');
    draws.push(r.z);
    await clickAt(redraw);
  }
  const n = draws.length, mean = [0, 1].map((d) => draws.reduce((sum, z) => sum + z[d], 0) / n);
  const spread = [0, 1].map((d) => Math.sqrt(draws.reduce((sum, z) => sum + (z[d] - mean[d]) ** 2, 0) / (n - 1)));
  for (const d of [0, 1]) {
    expect(Math.abs(mean[d] - mu[d]) <= 4 * sigma[d] / Math.sqrt(n), `the draws' mean ${mean[d]} is far from mu ${mu[d]} (sigma ${sigma[d]})`);
    expect(spread[d] / sigma[d] > 0.6 && spread[d] / sigma[d] < 1.5, `the draws spread ${spread[d]} where sigma is ${sigma[d]}`);
  }
  // What is on screen and its MSE are those of the latest draw.
  const last = await reconstruction();
  const digit = await page.evaluate((z) => Array.from(window.latentpad.decode(z)), last.z);
  const onScreen = maxAbsDiff(await drawnTexels(page, (await page.evaluate(() => window.latentpad.layout())).recon, 28), digit);
  const pixels = testImages(shown.index + 1)[shown.index];
  const mse = digit.reduce((sum, v, i) => sum + (v - pixels[i]) ** 2, 0) / digit.length;
  expect(onScreen <= 2 / 255, `the reconstruction on screen differs from decode(z) by ${onScreen}`);
  expect(Math.abs(mse - last.mse) <= 1e-6, `its MSE is ${last.mse}, decode(z) gives ${mse}`);
  expect(problems.length === 0, problems.join('; '));
  return `${n} draws around mu (${mu.map((v) => v.toFixed(3))}): spread ${spread.map((v, d) => (v / sigma[d]).toFixed(2))} sigma`;
});

await test('Compare shows two different models of one data set side by side', async (page, problems) => {
  await open(page);
  await page.evaluate(() => window.latentpad.showPanel('compare'));
  const set = await page.evaluate(() => window.latentpad.compare({ left: 'mnist', right: 'mnist-vae' }));
  expect(set.left.name === 'mnist' && set.left.kind === 'autoencoder' && set.right.name === 'mnist-vae' &&
         set.right.kind === 'variational autoencoder', `compare() = ${JSON.stringify(set)}`);
  // Both sides drawn, apart, side by side at 1280x800.
  let rects;
  for (let i = 0; i < 60; ++i) {
    await nextFrames(page, 2);
    rects = (await page.evaluate(() => window.latentpad.layout())).compare;
    if (rects[0][2] > 0 && rects[1][2] > 0) break;
  }
  const [l, r] = rects;
  expect(l[2] > 100 && r[2] > 100 && l[0] + l[2] <= r[0], `the two sides' scatters are at ${JSON.stringify(rects)}`);
  // 'current' follows the page's model; sides of two data sets are refused.
  const current = await page.evaluate(() => window.latentpad.compare({ left: 'current', right: 'mnist-vae' }));
  expect(current.left.name === 'current' && current.left.kind === 'autoencoder', `compare() = ${JSON.stringify(current)}`);
  const refused = await page.evaluate(() => window.latentpad.compare({ left: 'mnist', right: 'fashion-vae' })
    .then(() => 'accepted', (error) => error.message));
  expect(/one data set/.test(refused), `mnist beside fashion-vae: ${refused}`);
  expect(problems.length === 0, problems.join('; '));
  return `${set.left.name} (${set.left.kind}) at ${l.map(Math.round)}, ${set.right.name} (${set.right.kind}) at ${r.map(Math.round)}`;
});

await finish('models_e2e');

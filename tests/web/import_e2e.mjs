// PyTorch files in the page: .pth (whole model, or encoder and decoder picked
// together) and .safetensors load through latentpad_import.wasm and decode as
// the native build decodes the same import; a hostile .pth shows the CLI's
// refusal word for word and the model stays; and the first load never
// fetches the importer.
//
// Usage: node import_e2e.mjs SITE_DIR LATENTPAD_BINARY FIXTURES_DIR
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, nextFrames, startBrowser } from './browser.mjs';

const [siteDir, latentpad, fixtures] = process.argv.slice(2);
if (!fixtures) {
  console.error('usage: node import_e2e.mjs SITE_DIR LATENTPAD_BINARY FIXTURES_DIR');
  process.exit(2);
}
const scratch = mkdtempSync(join(tmpdir(), 'latentpad-import-e2e-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
const { test, open, finish } = await startBrowser(siteDir);

const CODE = [0.3, -0.4];
const decoded = (page) => page.evaluate(([x, y]) => Array.from(window.latentpad.decode(x, y)), CODE);
const maxAbsDiff = (a, b) => a.reduce((worst, v, i) => Math.max(worst, Math.abs(v - b[i])), 0);
const file = (path, name = path.split('/').pop()) =>
  ({ name, mimeType: 'application/octet-stream', buffer: readFileSync(path) });

// The native twin: `latentpad import` then `latentpad decode` at CODE.
function nativeDecode(...files) {
  const out = join(scratch, 'native.lpad');
  execFileSync(latentpad, ['import', ...files, '--out', out]);
  const text = execFileSync(latentpad, ['decode', '--weights', out, `--z=${CODE.join(',')}`], { encoding: 'utf8' });
  return text.trim().split(/\s+/).map(Number);
}

async function expectImported(page, files, reference, what) {
  const before = await decoded(page);
  await page.setInputFiles('#model-file', files);
  expect(await page.evaluate(() => window.latentpad.lastUserLoad()) === true,
         `${what} was refused: ${await page.evaluate(() => window.latentpad.error())}`);
  await nextFrames(page);
  const after = await decoded(page);
  // decode prints 6 decimals; native and wasm agree to ~1e-6 beyond that.
  const diff = maxAbsDiff(after, reference);
  expect(diff < 2e-6, `${what}: the page decodes ${diff.toExponential(2)} away from latentpad decode`);
  expect(maxAbsDiff(before, after) > 0.01, `${what}: the page still shows the old model`);
  expect(await page.evaluate(() => window.latentpad.error()) === '', 'an error is shown after a good import');
  return diff;
}

await test('the tutorial\'s whole-model .pth loads and decodes as latentpad import + decode', async (page, problems) => {
  const fetched = [];
  page.on('request', (request) => fetched.push(request.url()));
  await open(page);
  expect(!fetched.some((url) => url.endsWith('latentpad_import.wasm')), 'the first load fetched the importer');
  const path = join(fixtures, 'autoencoder.pth');
  const diff = await expectImported(page, file(path), nativeDecode(path), 'autoencoder.pth');
  expect(fetched.some((url) => url.endsWith('latentpad_import.wasm')), 'the importer was never fetched');
  expect(problems.length === 0, problems.join('; '));
  return `max diff ${diff.toExponential(1)}`;
});

await test('an encoder and a decoder saved apart, picked together, make one model', async (page, problems) => {
  await open(page);
  const encoder = join(fixtures, 'encoder.pth'), decoder = join(fixtures, 'decoder.pth');
  await expectImported(page, [file(decoder), file(encoder)], nativeDecode(encoder, decoder), 'the two halves');
  expect(problems.length === 0, problems.join('; '));
});

await test('a safetensors export of the shipped Fashion-MNIST model loads', async (page, problems) => {
  await open(page);
  const exported = join(scratch, 'fashion.safetensors');
  execFileSync(latentpad, ['export', '--weights', join(fixtures, '..', '..', '..', 'weights', 'fashion.lpad'), '--out', exported]);
  await expectImported(page, file(exported), nativeDecode(exported), 'fashion.safetensors');
  expect(problems.length === 0, problems.join('; '));
});

await test('a hostile .pth is refused with the CLI\'s message, and the model stays', async (page, problems) => {
  await open(page, `?z=${CODE.join(',')}`);
  const before = await decoded(page);
  const path = join(fixtures, 'hostile', 'posix_system.pth');
  const cli = spawnSync(latentpad, ['import', path, '--out', join(scratch, 'never.lpad')], { encoding: 'utf8' });
  expect(cli.status === 1, `latentpad import exited ${cli.status}`);
  const message = cli.stderr.trim().replace(/^latentpad: error: /, '').replace(path, 'posix_system.pth');
  expect(message === 'refusing posix_system.pth: it asks to call posix.system; a model file never needs that',
         `the CLI said '${message}'`);
  // Dropped on the page, like a user would.
  await page.evaluate((bytes) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([new Uint8Array(bytes)], 'posix_system.pth'));
    document.getElementById('canvas').dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, [...readFileSync(path)]);
  expect(await page.evaluate(() => window.latentpad.lastUserLoad()) === false, 'the hostile file was accepted');
  await nextFrames(page);
  const error = await page.evaluate(() => window.latentpad.error());
  expect(error === `${message} (the previous model is still loaded)`, `the page says '${error}'`);
  expect(maxAbsDiff(before, await decoded(page)) === 0, 'the model changed after a refused file');
  // The page still takes a good file afterwards.
  const good = join(fixtures, 'autoencoder.pth');
  await expectImported(page, file(good), nativeDecode(good), 'autoencoder.pth after a refusal');
  expect(problems.length === 0, problems.join('; '));
});

await finish('import_e2e');

// Training on several threads in the page, end to end in headless Chromium:
//   - on the cross-origin isolated server (tools/lib/serve.mjs sends COOP and
//     COEP, as tools/demo's does) the page is isolated, and
//     train.start({threads: 2}) trains on 2 threads: the status and the Train
//     panel's line say 2 threads, the loss falls, the run finishes, the model
//     file says it was trained on 2 threads by latentpad_trainer_mt (the
//     relaxed-SIMD build, which Chromium fetched, with thread_worker.js), and its
//     test MSE is native `latentpad eval`'s of that file; every resource the
//     page loaded came from the server with the headers (nothing blocked);
//   - the Train panel's threads setting starts at the page's default
//     (hardwareConcurrency - 1, at least 1), a run without `threads` uses it,
//     and threads: 0 is refused;
//   - where the browser will not reserve the threaded build's shared memory
//     (WebAssembly.Memory throws), start({threads: 2}) trains on one thread of
//     the single-thread build, and the status, the panel and the model file
//     say so;
//   - on a server without those headers, start({threads: 2}) trains on one
//     thread, and the status and the panel say why.
//
// usage: node train_threads_e2e.mjs SITE_DIR LATENTPAD_BINARY MNIST_DIR
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, startBrowser, trainStatus, waitFor } from './browser.mjs';

const [siteDir, latentpad, dataDir] = process.argv.slice(2);
if (!dataDir) {
  console.error('usage: node train_threads_e2e.mjs SITE_DIR LATENTPAD_BINARY MNIST_DIR');
  process.exit(2);
}
const work = mkdtempSync(join(tmpdir(), 'latentpad-threads-e2e-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

const status = trainStatus;
const panel = (page) => page.evaluate(() => window.latentpad.train.panel());

let failures = 0;
{
  const { test, open, finish } = await startBrowser(siteDir, { isolated: true });
  await test('isolated page: start({threads: 2}) trains on 2 threads, and the panel says so', async (page, problems) => {
    const failedRequests = [], fetched = [];
    page.on('request', (request) => fetched.push(new URL(request.url()).pathname));
    page.on('requestfailed', (request) => failedRequests.push(`${request.url()}: ${request.failure()?.errorText}`));
    page.on('response', (response) => { if (response.status() >= 400) failedRequests.push(`${response.url()}: HTTP ${response.status()}`); });
    await open(page);
    const env = await page.evaluate(() => ({ isolated: self.crossOriginIsolated, sab: typeof SharedArrayBuffer,
                                             cores: navigator.hardwareConcurrency, panel: window.latentpad.train.panel() }));
    expect(env.isolated === true && env.sab === 'function', `the page is not cross-origin isolated: ${JSON.stringify(env)}`);
    const wantDefault = Math.max(1, env.cores - 1);
    expect(env.panel.threads === wantDefault && env.panel.line === '',
           `the panel's threads start at ${JSON.stringify(env.panel)}, not the default ${wantDefault}`);
    const started = await page.evaluate(() => window.latentpad.train.start({ threads: 2, epochs: 2, limit: 6000, seed: 3 }));
    expect(started.state === 'training' && started.threads === 2 && started.threads_requested === 2 &&
           started.threads_note === '' && /2 threads/.test(started.message),
           `start() resolved to ${JSON.stringify(started)}`);
    const shown = await panel(page);
    expect(shown.threads === 2 && shown.line === 'training on 2 threads', `the panel shows ${JSON.stringify(shown)}`);
    const end = await page.evaluate(() => window.latentpad.train.finished());
    const history = await page.evaluate(() => window.latentpad.train.history());
    const losses = history.losses.map(([, loss]) => loss);
    // 2 epochs of 94 batches, 2 runs of 2 shard tasks each per batch, plus the
    // test set's evaluation and scatter codes: the worker thread takes some.
    expect(end.worker_tasks > 0, `the worker thread ran ${end.worker_tasks} pool tasks`);
    expect(end.state === 'done' && end.epoch === 2 && losses.length >= 4 && losses.at(-1) < losses[0],
           `the run ended ${JSON.stringify(end)} with losses ${losses.slice(0, 3)}...${losses.slice(-3)}`);
    const file = join(work, 'two.lpad');
    writeFileSync(file, Buffer.from(await page.evaluate(() => Array.from(window.latentpad.train.modelBytes()))));
    const info = execFileSync(latentpad, ['info', '--weights', file], { encoding: 'utf8' });
    // Chromium has relaxed SIMD: the threaded relaxed build, not the SIMD128 one.
    expect(/meta +trained_in = browser \(latentpad_trainer_mt\.wasm, WebAssembly relaxed SIMD, 2 threads\)/.test(info) &&
           /meta +threads = 2$/m.test(info), `latentpad info: ${info}`);
    expect(fetched.includes('/latentpad_trainer_mt_relaxed.wasm') && !fetched.includes('/latentpad_trainer_mt.wasm') &&
           fetched.includes('/thread_worker.js'), `the page fetched ${fetched.filter((f) => /wasm|worker/.test(f)).join(', ')}`);
    const evalLog = execFileSync(latentpad, ['eval', '--weights', file, '--data', dataDir],
                                 { encoding: 'utf8' });
    const nativeMse = Number(/mse[^0-9]*([0-9.]+)/i.exec(evalLog)?.[1]);
    expect(Math.abs(nativeMse - end.test_mse) <= 1e-5 * Math.max(1, nativeMse) + 1e-6,
           `native eval of the model: ${nativeMse}, the page reported ${end.test_mse}`);
    expect(failedRequests.length === 0, `requests failed under COEP: ${failedRequests.join('; ')}`);
    expect(problems.length === 0, problems.join('; '));
    return `${end.epoch} epochs on ${end.threads} threads, loss ${losses[0].toFixed(4)} -> ${losses.at(-1).toFixed(4)}, ` +
           `test MSE ${end.test_mse.toFixed(5)} (native eval ${nativeMse}), the worker thread ran ${end.worker_tasks} pool tasks`;
  });

  await test('isolated page: a run without threads uses the default, and threads: 0 is refused', async (page, problems) => {
    await open(page);
    const started = await page.evaluate(() => window.latentpad.train.start({ epochs: 1, limit: 1000, seed: 1 }));
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    expect(started.threads === Math.max(1, cores - 1), `start() without threads: ${JSON.stringify(started)} (${cores} cores)`);
    await page.evaluate(() => window.latentpad.train.finished());
    const refused = await page.evaluate(() => window.latentpad.train.start({ threads: 0 }).then(() => 'resolved', (e) => e.message));
    expect(/threads must be a whole number from 1 to 64/.test(refused), `threads: 0 gave ${refused}`);
    expect(problems.length === 0, problems.join('; '));
    return `default ${started.threads} thread(s) on ${cores} cores`;
  });
  await test('isolated page: where the browser will not reserve the shared memory, threads: 2 trains on the ' +
             'single-thread build and says why', async (page, problems) => {
    // The threaded trainer's WebAssembly.Memory throws as a browser short of
    // address space does (Chromium's message), in the page's own module.
    const fetched = [];
    page.on('request', (request) => fetched.push(new URL(request.url()).pathname));
    let patched = false;
    await page.route('**/trainer_threads.js', async (route) => {
      const response = await route.fetch();
      const original = await response.text();
      const body = original.replace('new WebAssembly.Memory(MEMORY)',
                                    "(() => { throw new RangeError('WebAssembly.Memory(): could not allocate memory'); })()");
      patched = body !== original;
      await route.fulfill({ response, body });
    });
    await open(page);
    const started = await page.evaluate(() => window.latentpad.train.start({ threads: 2, epochs: 1, limit: 2000, seed: 3 }));
    expect(patched, 'trainer_threads.js was not fetched through the route, or has no new WebAssembly.Memory(MEMORY)');
    expect(started.state === 'training' && started.threads === 1 && started.threads_requested === 2 &&
           /^not 2: the browser could not reserve the threaded trainer's shared memory \(up to 1 GB\): WebAssembly\.Memory\(\): could not allocate memory$/
             .test(started.threads_note) && /1 thread/.test(started.message),
           `start() resolved to ${JSON.stringify(started)}`);
    const shown = await panel(page);
    expect(/^training on 1 thread \(not 2: the browser could not reserve/.test(shown.line), `the panel shows ${JSON.stringify(shown)}`);
    const end = await page.evaluate(() => window.latentpad.train.finished());
    expect(end.state === 'done' && end.epoch === 1 && end.threads === 1 && end.worker_tasks === 0,
           `the run ended ${JSON.stringify(end)}`);
    const file = join(work, 'fallback.lpad');
    writeFileSync(file, Buffer.from(await page.evaluate(() => Array.from(window.latentpad.train.modelBytes()))));
    const info = execFileSync(latentpad, ['info', '--weights', file], { encoding: 'utf8' });
    expect(/meta +trained_in = browser \(latentpad_trainer\.wasm, WebAssembly relaxed SIMD\)$/m.test(info) &&
           !/meta +threads/.test(info), `latentpad info: ${info}`);
    // No training thread was started (the memory failed first).
    expect(!fetched.includes('/thread_worker.js'), `the page fetched ${fetched.filter((f) => /wasm|worker/.test(f)).join(', ')}`);
    // A second run of the same request reuses the single-thread trainer, and says why again.
    const again = await page.evaluate(() => window.latentpad.train.start({ threads: 2, epochs: 1, limit: 1000, seed: 4 }));
    expect(again.state === 'training' && again.threads === 1 && again.threads_note === started.threads_note,
           `the second start() resolved to ${JSON.stringify(again)}`);
    const againEnd = await page.evaluate(() => window.latentpad.train.finished());
    writeFileSync(file, Buffer.from(await page.evaluate(() => Array.from(window.latentpad.train.modelBytes()))));
    const againInfo = execFileSync(latentpad, ['info', '--weights', file], { encoding: 'utf8' });
    expect(againEnd.state === 'done' && againEnd.worker_tasks === 0 &&
           /meta +trained_in = browser \(latentpad_trainer\.wasm, WebAssembly relaxed SIMD\)$/m.test(againInfo),
           `the second run ended ${JSON.stringify(againEnd)}; latentpad info: ${againInfo}`);
    expect(problems.length === 0, problems.join('; '));
    return started.threads_note;
  });
  failures += await finish('isolated server', { exit: false });
}

{
  const { test, open, finish } = await startBrowser(siteDir, { isolated: false });
  await test('plain server: start({threads: 2}) trains on 1 thread and says why', async (page, problems) => {
    await open(page);
    const env = await page.evaluate(() => ({ isolated: self.crossOriginIsolated, panel: window.latentpad.train.panel() }));
    expect(env.isolated === false, `the page is isolated without the headers: ${JSON.stringify(env)}`);
    const started = await page.evaluate(() => window.latentpad.train.start({ threads: 2, epochs: 1, limit: 2000, seed: 3 }));
    expect(started.state === 'training' && started.threads === 1 && started.threads_requested === 2 &&
           /not cross-origin isolated/.test(started.threads_note) && /1 thread/.test(started.message),
           `start() resolved to ${JSON.stringify(started)}`);
    const shown = await panel(page);
    expect(shown.threads === 2 && /^training on 1 thread \(not 2: this page is not cross-origin isolated/.test(shown.line),
           `the panel shows ${JSON.stringify(shown)}`);
    const end = await page.evaluate(() => window.latentpad.train.finished());
    expect(end.state === 'done' && end.epoch === 1 && end.worker_tasks === 0, `the run ended ${JSON.stringify(end)}`);
    const file = join(work, 'one.lpad');
    writeFileSync(file, Buffer.from(await page.evaluate(() => Array.from(window.latentpad.train.modelBytes()))));
    const info = execFileSync(latentpad, ['info', '--weights', file], { encoding: 'utf8' });
    expect(/meta +trained_in = browser \(latentpad_trainer\.wasm, [^,]*\)$/m.test(info) && !/meta +threads/.test(info),
           `latentpad info: ${info}`);
    expect(problems.length === 0, problems.join('; '));
    return started.threads_note;
  });
  failures += await finish('plain server', { exit: false });
}
process.exit(failures === 0 ? 0 : 1);

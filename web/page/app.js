'use strict';
// LatentPad page glue: starts the wasm app, feeds it the site's model and test
// data, and exposes window.latentpad to people (in the console) and to tests.
(function () {
  // [name the wasm side knows, file in this folder]: see `latentpad site-data`.
  const FILES = [
    ['model', 'model.lpad'],
    ['codes', 'test-codes.idx'],
    ['labels', 'test-labels.idx'],
    ['images', 'test-images.idx'],
  ];
  const PIXELS = 784;

  // What this browser lacks that the page needs (support.js), if anything:
  // then the app is not loaded and the page says what is missing instead.
  const unsupported = LatentPadSupport.missing();

  // Downloads start now, in parallel with compiling the wasm. A failure is kept
  // as a value and reported in the page once the app can show it.
  const downloads = unsupported ? [] : FILES.map(([name, url]) =>
    fetch(url)
      .then((response) => {
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return response.arrayBuffer();
      })
      .then((buffer) => ({ name, url, bytes: new Uint8Array(buffer) }),
            (error) => ({ name, url, error })));

  let markReady, rejectReady;
  const ready = new Promise((resolve, reject) => { markReady = resolve; rejectReady = reject; });
  ready.catch(() => {});  // a page that cannot run says so itself: awaiting `ready` is optional

  // Why the app cannot run or has stopped, as shown in the page ('' while it
  // runs): a missing browser feature, a file that did not load, a wasm abort.
  // `ready` rejects with it and latentpad.error() returns it.
  let pageFailure = '';
  let runtimeStarted = false;
  function failPage(message) {
    if (pageFailure) return;
    pageFailure = `${message.title}. ${message.text}`;
    LatentPadSupport.showNotice(null);
    LatentPadSupport.showMessage(message);
    rejectReady(new Error(pageFailure));
  }
  const couldNotDownload = (file) => ({
    title: 'LatentPad could not be downloaded',
    text: `The browser could not download ${file}, the app's code. Check the connection, then reload the page.`,
  });
  // What Module.onAbort (or an uncaught wasm trap) reports, for people.
  function abortMessage(what) {
    const detail = what && what.message ? `${what.name || 'Error'}: ${what.message}` : String(what);
    const wasm = typeof WebAssembly === 'object' ? WebAssembly : {};
    if ((wasm.CompileError && what instanceof wasm.CompileError) || (wasm.LinkError && what instanceof wasm.LinkError) ||
        /CompileError|LinkError/.test(detail)) return LatentPadSupport.compileMessage(detail);
    if (/fetching of the wasm|failed to load wasm/.test(detail)) return couldNotDownload('latentpad.wasm');
    return { title: 'LatentPad stopped', text: `The app stopped on an internal error (${detail}). Reload the page to start it again.` };
  }
  // A wasm trap outside any caller (in a frame, say) stops the main loop for good.
  window.addEventListener('error', (event) => {
    if (typeof WebAssembly === 'object' && event.error instanceof WebAssembly.RuntimeError) failPage(abortMessage(event.error));
  });
  window.addEventListener('unhandledrejection', (event) => {
    if (typeof WebAssembly === 'object' && event.reason instanceof WebAssembly.RuntimeError) failPage(abortMessage(event.reason));
  });

  // The GPU context can be lost (a driver reset, sleep, too many WebGL pages):
  // a notice says so until it is back. preventDefault() lets the browser
  // restore it (main.cpp asks too, and recreates every GL object then).
  const canvasElement = document.getElementById('canvas');
  let restoreTimer = 0;
  canvasElement.addEventListener('webglcontextlost', (event) => {
    event.preventDefault();
    if (pageFailure) return;
    canvasElement.style.visibility = 'hidden';  // a lost canvas shows as blank white
    LatentPadSupport.showNotice('Restoring graphics: the browser lost its GPU context (a driver reset, the computer ' +
                                'waking from sleep, or too many pages using WebGL). The page redraws as it was once it is back.');
    clearTimeout(restoreTimer);
    restoreTimer = setTimeout(() => LatentPadSupport.showNotice('The graphics have not come back yet. If the page stays ' +
      'blank, close other tabs that use 3D graphics and reload it.'), 15000);
  });
  canvasElement.addEventListener('webglcontextrestored', () => {
    clearTimeout(restoreTimer);
    if (!pageFailure) canvasElement.style.visibility = '';
    LatentPadSupport.showNotice(null);
  });

  // Workers for large decodes (decode_pool.js), one per core up to four,
  // starting now alongside everything else.
  const pool = new DecodePool(Math.max(1, Math.min(4, navigator.hardwareConcurrency || 2)));
  // Their module: relaxed SIMD where the browser has it (support.js).
  const poolStarted = unsupported ? Promise.resolve(false)
                                  : pool.start(LatentPadSupport.compileStandalone('latentpad_model'), 'decode_worker.js');
  // Workers that cannot start leave the page working, decoding on its main
  // thread: a notice says so for a while.
  poolStarted.then((started) => {
    if (started || unsupported || pageFailure) return;
    const text = `The decode workers could not start (${pool.failure || 'unknown reason'}), ` +
                 'so the page decodes on its main thread: large grids will be slower.';
    LatentPadSupport.showNotice(text);
    setTimeout(() => { if (document.getElementById('lp-notice').textContent === text) LatentPadSupport.showNotice(null); }, 10000);
  });

  function withHeapCopy(bytes, use) {
    const pointer = Module._malloc(bytes.length);
    Module.HEAPU8.set(bytes, pointer);
    try { return use(pointer, bytes.length); } finally { Module._free(pointer); }
  }

  function setError(message) {
    Module.ccall('lp_set_error', null, ['string'], [message]);
  }

  // The model the page shows, as the bytes of its file: the site's, one the
  // user loaded, or one trained here. A training run starts from it when
  // asked to, and a run that diverges puts it back.
  let pageModel = null;  // { kind: 'site' | 'user' | 'trained', bytes, name, codes, labels }
  let siteFiles = [];
  // The site's files per data set and kind of model: MNIST's autoencoder
  // loads with the page; the others (fashion/, vae/, fashion/vae/) when the
  // page first switches to them.
  const siteSets = {};
  const siteFolder = (dataset, kind) => (dataset === 'fashion' ? 'fashion/' : '') + (kind === 'vae' ? 'vae/' : '');
  let siteSet = 'mnist', siteKind = 'ae';

  function loadSiteFile(file) {
    const ok = withHeapCopy(file.bytes, (pointer, size) =>
      Module.ccall('lp_load', 'number', ['string', 'number', 'number'], [file.name, pointer, size])) === 1;
    if (ok && file.name === 'model') {
      pool.setModel(file.bytes);
      pageModel = { kind: 'site', bytes: file.bytes };
    }
    return ok;
  }

  // Returns true when the model loaded. Any problem ends up as the page's error line.
  async function loadSiteFiles() {
    let modelLoaded = false;
    siteFiles = await Promise.all(downloads);
    siteSets['mnist/ae'] = Promise.resolve(siteFiles);
    for (const file of siteFiles) {
      if (file.error) {
        setError(`could not load ${file.url}: ${file.error.message}`);
        continue;
      }
      const ok = loadSiteFile(file);
      if (file.name === 'model') modelLoaded = ok;
    }
    const z = new URLSearchParams(window.location.search).get('z');
    if (modelLoaded && z !== null) Module.ccall('lp_set_latent_text', 'number', ['string'], [z]);
    return modelLoaded;
  }

  // A model the user chose (the "Load model file..." button) or dropped on the
  // page: an .lpad, or PyTorch's .pth / .safetensors (one file, or an encoder
  // and a decoder saved apart), which import.js turns into an .lpad first.
  // Validation happens in wasm; on failure the old model stays.
  const importer = new ModelImporter();
  async function loadUserModel(files) {
    const picked = await Promise.all(files.map(async (file) => ({
      name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) })));
    const name = picked.map((file) => file.name).join(' + ');
    let bytes = picked[0].bytes;
    if (picked.length > 1 || !ModelImporter.isLpad(bytes)) {
      try {
        bytes = await importer.run(picked);
      } catch (error) {
        setError(`${error.message} (the previous model is still loaded)`);
        return false;
      }
    }
    const ok = withHeapCopy(bytes, (pointer, size) =>
      Module.ccall('lp_load_user_model', 'number', ['string', 'number', 'number'], [name, pointer, size])) === 1;
    if (ok) {
      pool.setModel(bytes);
      pageModel = { kind: 'user', bytes, name };
      Module._lp_train_forget();
      encodeTestSet(pageModel).catch((error) => console.warn(`the scatter keeps the bundled test images: ${error.message}`));
    }
    return ok;
  }

  // The whole test set of a data set (10,000 images): fetched on demand from
  // the training files in train/<dataset>/, inflated here, once.
  const testSets = {};
  function loadTestSet(dataset) {
    if (!testSets[dataset]) {
      const inflate = async (url) => {
        const response = await fetch(url);
        if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
        const stream = response.body.pipeThrough(new DecompressionStream('gzip'));
        return new Uint8Array(await new Response(stream).arrayBuffer());
      };
      testSets[dataset] = Promise.all([inflate(`train/${dataset}/t10k-images-idx3-ubyte.gz`),
                                       inflate(`train/${dataset}/t10k-labels-idx1-ubyte.gz`)])
        .then(([images, labels]) => {
          const view = new DataView(images.buffer);
          const count = view.getUint32(4), pixels = view.getUint32(8) * view.getUint32(12);
          if (view.getUint32(0) !== 0x803 || pixels !== PIXELS || images.length !== 16 + count * pixels ||
              labels.length !== 8 + count) throw new Error(`the ${dataset} test files are not 28x28 IDX images and labels`);
          return { count, pixels: images.subarray(16), labels: labels.subarray(8) };
        });
      testSets[dataset].catch(() => { delete testSets[dataset]; });
    }
    return testSets[dataset];
  }

  // After a user's model loads: its codes of all 10,000 test images (of the
  // data set its metadata names), encoded in the decode workers, replace the
  // bundled 1,000 in the scatter, unless another model came meanwhile.
  async function encodeTestSet(model) {
    const dataset = Module.UTF8ToString(Module._lp_model_dataset()) === 'fashion' ? 'fashion' : 'mnist';
    const { count, pixels, labels } = await loadTestSet(dataset);
    await poolStarted;
    if (!pool.ready || pageModel !== model || pool.workers.length === 0) return;
    const images = new Float32Array(count * PIXELS);
    for (let i = 0; i < images.length; i++) images[i] = pixels[i] / 255;
    let codes;
    try {
      codes = await pool.encode(images, PIXELS);
    } catch (error) {
      return;  // a model without a suitable encoder: the scatter stays as it is
    }
    if (pageModel !== model || codes.length !== Module._lp_code_width() * count) return;
    withHeapCopy(new Uint8Array(codes.buffer), (codesPointer) =>
      withHeapCopy(labels, (labelsPointer) => Module.ccall('lp_set_codes', null, ['number', 'number', 'number', 'string'],
        [codesPointer, labelsPointer, count, `Loaded ${model.name}; the scatter shows its codes of all ${count} ${dataset} test images`])));
    testSetEncoded = { model, count };
  }
  let testSetEncoded = null;
  let lastUserLoad = Promise.resolve(null);
  function userFiles(fileList) {
    const files = Array.from(fileList || []);
    if (files.length > 0) lastUserLoad = ready.then(() => loadUserModel(files));
  }
  document.getElementById('model-file').addEventListener('change', (event) => {
    userFiles(event.target.files);
    event.target.value = '';  // choosing the same file again still fires
  });
  window.addEventListener('dragover', (event) => event.preventDefault());
  window.addEventListener('drop', (event) => {
    event.preventDefault();
    userFiles(event.dataTransfer && event.dataTransfer.files);
  });

  // Called by the wasm app (decode_in_workers in panels.cpp) for the manifold:
  // decode `count` codes in the workers, write the digits to `pixels` in wasm
  // memory, then report back. Returns 0 when the workers cannot take it.
  function decodeInWorkers(token, codes, count, width, pixels) {
    if (!pool.ready) return 0;
    const batch = Module.HEAPF32.slice(codes >> 2, (codes >> 2) + width * count);
    pool.decodeParts(batch, width).then((parts) => {
      for (const { row, images } of parts) Module.HEAPF32.set(images, (pixels >> 2) + row * PIXELS);
      Module._lp_manifold_done(token, parts.length);
    }, (error) => {
      console.warn(`decode workers stopped (${error.message}); decoding on the main thread`);
      Module._lp_manifold_failed(token);
    });
    return pool.workers.length;
  }

  // Called by the Draw panel (panel_draw.cpp) for its "unusual input" meter:
  // the reconstruction errors of `count` test images under the page's model,
  // computed in a worker and handed back through lp_test_errors_done. The
  // worker keeps the images (`key` tells when they change). Returns 0 when
  // the workers cannot take it (the panel then computes them itself).
  function errorsInWorkers(serial, images, count, key) {
    if (!pool.ready) return 0;
    if (pool.imagesKey !== key) pool.setImages(key, Module.HEAPF32.slice(images >> 2, (images >> 2) + count * PIXELS));
    pool.errors().then((errors) => {
      withHeapCopy(new Uint8Array(errors.buffer), (pointer) => Module._lp_test_errors_done(serial, pointer, errors.length));
    }, (error) => {
      console.warn(`decode workers stopped (${error.message}); measuring on the main thread`);
      Module._lp_test_errors_done(serial, 0, -1);
    });
    return 1;
  }

  // Main-thread decoding, for when the workers are not (or no longer) there.
  function decodeHere(codes) {  // whole codes of the model's width
    const count = codes.length / Module._lp_code_width();
    return withHeapCopy(new Uint8Array(codes.buffer, codes.byteOffset, codes.byteLength), (pointer) => {
      const out = Module._malloc(count * PIXELS * 4);
      try {
        if (!Module._lp_decode_batch(pointer, count, out)) throw new Error('no model is loaded');
        return Module.HEAPF32.slice(out >> 2, (out >> 2) + count * PIXELS);
      } finally {
        Module._free(out);
      }
    });
  }

  // Training in the page (train.js): snapshots become the page's model.
  // A training snapshot becomes the page's model. After a run's first one,
  // only its parameters are set into the model the page has (the file's
  // decoding and checksum would cost the main thread most of a frame); the
  // full file is loaded when that does not fit.
  // codes: the first test images' codes, labels.length x codeWidth (the
  // model's width: a wider code's scatter is projected onto the pad's plane).
  function showTrainedModel(bytes, codes, labels, parameters = null, codeWidth = 2, copies = null) {
    const t0 = performance.now();
    const n = labels.length;
    if (codes.length !== n * codeWidth) throw new Error(`a snapshot's codes are ${codes.length} numbers, not ${n} x ${codeWidth}`);
    const byteView = (a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const ok = withHeapCopy(byteView(codes), (codesPointer) => withHeapCopy(labels, (labelsPointer) =>
      (parameters && withHeapCopy(byteView(parameters), (pointer) =>
        Module._lp_train_weights(pointer, parameters.length, codesPointer, labelsPointer, n))) ||
      withHeapCopy(bytes, (modelPointer, size) =>
        Module._lp_train_model(modelPointer, size, codesPointer, labelsPointer, n))));
    if (ok) {
      pool.setModel(bytes, copies);
      pageModel = { kind: 'trained', bytes, codes, labels, codeWidth };
    }
    snapshotCosts.handled(performance.now() - t0);
  }
  // What each snapshot costs the main thread (for tools/bench, through
  // latentpad.benchSnapshots()): the milliseconds of its handler above plus
  // those of the first frame after it, which redraws with the new model. The
  // frame is timed by the main loop's pre/post hooks (Module.preMainLoop).
  const snapshotCosts = {
    samples: [], pending: null, frameStart: 0,
    handled(ms) { this.pending = { handler: (this.pending ? this.pending.handler : 0) + ms }; },
    frameBegin() { this.frameStart = performance.now(); },
    frameEnd() {
      if (!this.pending) return;
      const frame = performance.now() - this.frameStart;
      this.samples.push({ ...this.pending, frame, total: this.pending.handler + frame });
      this.pending = null;
    },
  };
  // Puts a model back: the site's with its codes, or a user's or a trained
  // one as it was.
  function restoreModel(model) {
    if (!model) return;
    if (model.kind === 'site') {
      for (const file of siteFiles) if (!file.error) loadSiteFile(file);
      Module._lp_train_forget();
      Module._lp_set_dataset(siteSet === 'fashion' ? 1 : 0, siteKind === 'vae' ? 1 : 0);
    } else if (model.kind === 'user') {
      loadUserModel([new File([model.bytes], model.name)]);
    } else {
      showTrainedModel(model.bytes, model.codes, model.labels, null, model.codeWidth);
    }
  }
  let modelBeforeRun = null;
  // The Train panel's threads: the next run's setting, the run's count, the
  // page's default and whether it is isolated, and why a run has fewer.
  const trainThreadsToPanel = (status) => Module.ccall('lp_train_threads', null,
    ['number', 'number', 'number', 'number', 'string'],
    [status.threads_requested || 0, status.threads || 0, TrainController.defaultThreads(),
     TrainController.threadsSupported() ? 1 : 0, status.threads_note || '']);
  // The panel's threads start at the page's default.
  ready.then((ok) => { if (ok) trainThreadsToPanel(trainer.status()); });
  const trainer = new TrainController({
    showModel: showTrainedModel,
    modelCopies: () => pool.size,
    restoreModel: () => restoreModel(modelBeforeRun),
    onStatus(status, extra, history) {
      const state = TrainController.STATES.indexOf(status.state);
      Module.ccall('lp_train_status', null,
                   ['number', 'number', 'number', 'number', 'number', 'number', 'number', 'number', 'number', 'string'],
                   [state, status.epoch, extra.epochs, status.batch, extra.batches, status.images_per_s || 0,
                    status.train_loss ?? -1, status.test_mse ?? -1, extra.download, status.message || '']);
      Module._lp_train_terms(status.train_recon ?? -1, status.train_kl ?? -1);
      trainThreadsToPanel(status);
      const losses = new Float32Array(history.losses.flat());
      const mse = new Float32Array(history.testMse.map(([, value]) => value));
      withHeapCopy(new Uint8Array(losses.buffer), (lossPointer) =>
        withHeapCopy(new Uint8Array(mse.buffer), (msePointer) =>
          Module._lp_train_history(lossPointer, losses.length / 2, msePointer, mse.length)));
    },
  });
  async function startTraining(options) {
    if (!(await ready)) throw new Error('no model is loaded');
    const o = { dataset: 'mnist', epochs: 5, lr: 1e-3, batch: 64, seed: 2, limit: 0, fromCurrent: false, ...options };
    // The model and loss (the tutorial's recipe unless given): a bad one is refused here, by name.
    const arch = (await import('./trainer_module.js')).architecture(o);
    const current = pageModel && pageModel.bytes;
    // The page shows the run's data set: its test images and labels go with
    // the run's codes in the scatter and the Draw panel.
    if (o.dataset !== siteSet && ['mnist', 'fashion'].includes(o.dataset)) await switchDataset(o.dataset);
    if (!['downloading', 'training', 'paused'].includes(trainer.status().state)) modelBeforeRun = pageModel;
    if (Number.isSafeInteger(o.epochs) && Number.isSafeInteger(o.batch) && Number.isSafeInteger(o.seed) && Number.isSafeInteger(o.limit)) {
      Module.ccall('lp_train_settings', null, ['number', 'number', 'number', 'number', 'number', 'number', 'number',
                                               'number', 'number', 'number', 'string', 'number', 'number'],
                   [o.dataset === 'fashion' ? 1 : 0, o.epochs, Number(o.lr) || 0, o.batch, Math.min(o.seed, 2 ** 31 - 1),
                    Math.min(o.limit, 2 ** 31 - 1), o.fromCurrent ? 1 : 0, arch.model === 'vae' ? 1 : 0, arch.beta,
                    arch.latent, arch.hidden.join(','), arch.activation === 'relu' ? 1 : 0, arch.loss === 'bce' ? 1 : 0]);
    }
    return trainer.start({ ...o, currentModel: current });
  }
  function saveTrainedModel() {
    const link = document.createElement('a');
    // The page's model when it came from a run here (also after a later run
    // diverged and put it back), else the last run's.
    const bytes = pageModel && pageModel.kind === 'trained' ? pageModel.bytes : trainer.modelBytes();
    link.href = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
    link.download = `latentpad-trained-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}.lpad`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  }
  // A shipped model's files (model, test codes, labels, images), fetched once.
  async function shippedFiles(name, kind) {
    const key = `${name}/${kind}`, folder = siteFolder(name, kind);
    if (!siteSets[key]) {
      siteSets[key] = Promise.all(FILES.map(([file, url]) => fetch(`${folder}${url}`).then((response) => {
        if (!response.ok) throw new Error(`could not load ${folder}${url}: HTTP ${response.status}`);
        return response.arrayBuffer();
      }).then((buffer) => ({ name: file, url: `${folder}${url}`, bytes: new Uint8Array(buffer) }))));
      siteSets[key].catch(() => { delete siteSets[key]; });
    }
    return siteSets[key];
  }
  // Switches the page to a shipped model: a data set's ('mnist' or
  // 'fashion') autoencoder or VAE ('ae' or 'vae'), with its codes and test
  // images, fetched the first time.
  async function switchModel(name, kind) {
    if (!['mnist', 'fashion'].includes(name)) throw new Error(`no data set '${name}' (mnist or fashion)`);
    if (!['ae', 'vae'].includes(kind)) throw new Error(`no model kind '${kind}' (ae or vae)`);
    if (!(await ready)) throw new Error('no model is loaded');
    const files = await shippedFiles(name, kind);
    siteSet = name;
    siteKind = kind;
    siteFiles = files;
    restoreModel({ kind: 'site' });
    return name;
  }
  const switchDataset = (name) => switchModel(name, siteKind);

  // The Compare tab's two sides, each a shipped model's name ('mnist',
  // 'mnist-vae', 'fashion', 'fashion-vae') or 'current' (the page's model).
  const SHIPPED = { mnist: ['mnist', 'ae'], 'mnist-vae': ['mnist', 'vae'], fashion: ['fashion', 'ae'], 'fashion-vae': ['fashion', 'vae'] };
  async function setCompare({ left, right } = {}) {
    if (!(await ready)) throw new Error('no model is loaded');
    const pageSet = () => Module.UTF8ToString(Module._lp_model_dataset()) || siteSet;
    const datasetOf = (name) => {
      if (name === 'current') return pageSet();
      if (!SHIPPED[name]) throw new Error(`compare: no model '${name}' (${Object.keys(SHIPPED).join(', ')} or current)`);
      return SHIPPED[name][0];
    };
    if (datasetOf(left) !== datasetOf(right)) {
      throw new Error(`compare shows two models of one data set: ${left} is ${datasetOf(left)}'s, ${right} is ${datasetOf(right)}'s`);
    }
    const sides = await Promise.all([left, right].map(async (name) => {
      if (name === 'current') return { name, files: {} };
      const files = await shippedFiles(...SHIPPED[name]);
      return { name, files: Object.fromEntries(files.map((file) => [file.name, file.bytes])) };
    }));
    sides.forEach(({ name, files }, index) => {
      const empty = new Uint8Array(0);
      const ok = withHeapCopy(files.model || empty, (model, modelSize) =>
        withHeapCopy(files.codes || empty, (codes, codesSize) =>
          withHeapCopy(files.labels || empty, (labels, labelsSize) =>
            Module.ccall('lp_compare_set', 'number', ['number', 'string', 'number', 'number', 'number', 'number', 'number', 'number'],
                         [index, name, model, modelSize, codes, codesSize, labels, labelsSize]))));
      if (!ok) throw new Error(Module.UTF8ToString(Module._lp_error()));
    });
    return compareInfo();
  }
  const compareInfo = () => JSON.parse(Module.UTF8ToString(Module._lp_compare_info()));

  // The Train panel's buttons (panel_train.cpp).
  function trainCommand(name, json) {
    const report = (error) => Module.ccall('lp_train_status', null,
      ['number', 'number', 'number', 'number', 'number', 'number', 'number', 'number', 'number', 'string'],
      [6, 0, 0, 0, 0, 0, -1, -1, 0, String(error.message || error)]);
    try {
      switch (name) {
        case 'start': startTraining(JSON.parse(json)).catch(report); break;
        case 'pause': trainer.pause(); break;
        case 'resume': trainer.resume(); break;
        case 'stop': trainer.stop(); break;
        case 'save': saveTrainedModel(); break;
        case 'shipped': restoreModel({ kind: 'site' }); break;
        default: break;
      }
    } catch (error) {
      report(error);
    }
  }

  const median = (values) => values.slice().sort((a, b) => a - b)[values.length >> 1];
  const nextFrame = () => new Promise((done) => requestAnimationFrame(done));

  window.Module = {
    latentpadDecodeInWorkers: decodeInWorkers,
    latentpadErrorsInWorkers: errorsInWorkers,
    latentpadSwitchModel: (name, kind) => switchModel(name, kind).catch((error) => setError(error.message)),
    latentpadCompareDefaults: () => setCompare({ left: siteSet, right: `${siteSet}-vae` }).catch((error) => setError(error.message)),
    latentpadTrainCommand: trainCommand,
    canvas: document.getElementById('canvas'),
    print: (text) => console.log(text),
    printErr: (text) => console.warn(text),
    preMainLoop: () => snapshotCosts.frameBegin(),
    postMainLoop: () => snapshotCosts.frameEnd(),
    // The wasm could not be compiled or fetched, or the app aborted.
    onAbort: (what) => failPage(abortMessage(what)),
    // main.cpp, when it cannot start ('webgl2': no context).
    latentpadFatal: (what) => failPage(what === 'webgl2' ? LatentPadSupport.webgl2Message()
      : { title: 'LatentPad could not start', text: `${what}. Reload the page to try again.` }),
    onRuntimeInitialized() {
      runtimeStarted = true;
      loadSiteFiles().then(markReady, (error) => {
        setError(String(error));
        markReady(false);
      });
    },
  };

  window.latentpad = {
    // Resolves to true once the model is loaded (false if it could not be).
    ready,
    // Training in the page, in a Web Worker running src/'s trainer:
    //   await train.start({dataset, epochs, lr, batch, seed, limit, fromCurrent,
    //   model: 'ae'|'vae', beta, latent, hidden: [256, 128, 64], activation:
    //   'tanh'|'relu', loss: 'mse'|'bce', threads}) starts a run (fetching its data
    //   first) and resolves to status() once it trains or has failed; it rejects
    //   bad settings, and a fine-tuning run whose loaded model has another
    //   architecture; status() is {state, epoch, batch, images_per_s,
    //   train_loss, test_mse, train_recon, train_kl (a VAE's loss terms, else
    //   null), message, threads (the run's), threads_requested, threads_note
    //   (why the run has fewer threads than asked for, else '')} with state one of idle, downloading,
    //   training, paused, done, diverged, failed; pause(), resume(), stop()
    //   (resolves when the run has ended); finished() resolves when it ends;
    //   modelBytes() is the current model as the bytes of an .lpad file.
    train: {
      start: (options = {}) => startTraining(options),
      status: () => trainer.status(),
      pause: () => trainer.pause(),
      resume: () => trainer.resume(),
      stop: () => trainer.stop(),
      finished: () => trainer.finished(),
      modelBytes: () => trainer.modelBytes(),
      // Adam steps taken by the current run.
      steps: () => trainer.extra.step,
      // What the Train panel says of threads: { threads: its setting for the
      // next run, line: what it shows of the run's ('training on 2 threads',
      // with why a run has fewer than asked for; '' when idle) }.
      panel: () => ({ threads: Module._lp_train_threads_setting(), line: Module.UTF8ToString(Module._lp_train_threads_line()) }),
      // The loss chart's points: { losses: [[step, loss]...], testMse: [[epoch, mse]...],
      // recon: [[step, recon]...], kl: [[step, kl]...] } (the last two a VAE's, else empty).
      history: () => JSON.parse(JSON.stringify(trainer.history || { losses: [], testMse: [], recon: [], kl: [] })),
    },
    // The Draw panel's input: the drawing made MNIST-like, 784 floats (28x28, row-major).
    drawing() {
      const out = Module._malloc(PIXELS * 4);
      try {
        Module._lp_drawing(out);
        return Module.HEAPF32.slice(out >> 2, (out >> 2) + PIXELS);
      } finally {
        Module._free(out);
      }
    },
    // The drawing's code, reconstruction MSE, percentile among the test
    // images' errors, and the labels of its k nearest test codes.
    drawingInfo(k = 10) { return JSON.parse(Module.UTF8ToString(Module._lp_drawing_info(k))); },
    // Opens a tab under the digit: 'manifold', 'reconstruction', 'draw', 'walk', 'train' or 'compare'.
    showPanel(name) {
      const index = ['manifold', 'reconstruction', 'draw', 'walk', 'train', 'compare'].indexOf(name);
      if (index < 0) throw new Error(`showPanel: no panel '${name}'`);
      Module._lp_show_tab(index);
    },
    // The codes the scatter shows, each the model's width (x,y pairs for a
    // 2-D model): a Float32Array.
    scatterCodes() {
      const countPointer = Module._malloc(4);
      try {
        const pointer = Module._lp_scatter_codes(countPointer);
        const count = Module.HEAP32[countPointer >> 2];
        return Module.HEAPF32.slice(pointer >> 2, (pointer >> 2) + Module._lp_code_width() * count);
      } finally {
        Module._free(countPointer);
      }
    },
    setLatent(x, y) { Module._lp_set_latent(x, y); },
    getLatent() { return { x: Module._lp_get_latent(0), y: Module._lp_get_latent(1) }; },
    // The message the page shows in red, or '' when all is well; when the app
    // cannot run (or stopped), the page's message saying why.
    error() {
      if (pageFailure) return pageFailure;
      return runtimeStarted ? Module.UTF8ToString(Module._lp_error()) : '';
    },
    // Where the pad and the big digit are (CSS pixels), for tests and tinkering.
    // kernel: what the decode and training workers run ('relaxed-simd' or
    // 'simd128'); main_kernel: the ImGui app's ('simd128'). README: Demo.
    layout() {
      if (pageFailure) throw new Error(pageFailure);
      if (!runtimeStarted) throw new Error('LatentPad is still loading: await latentpad.ready first');
      const layout = JSON.parse(Module.UTF8ToString(Module._lp_layout()));
      layout.main_kernel = layout.kernel;
      if (pool.ready && pool.kernel) layout.kernel = pool.kernel;
      else if (!pool.failure) layout.kernel = LatentPadSupport.hasRelaxedSimd() ? 'relaxed-simd' : 'simd128';
      return layout;
    },
    // Resolves to true/false when the last picked or dropped model has been handled.
    lastUserLoad() { return lastUserLoad; },
    // Switches to the shipped model and test data of 'mnist' or 'fashion'
    // (fetched the first time); resolves when it is on screen.
    async setDataset(name) {
      await switchDataset(name);
      await nextFrame();
      return name;
    },
    // The Compare tab's two sides: compare() reports them, compare({left,
    // right}) sets them (each 'mnist', 'mnist-vae', 'fashion', 'fashion-vae'
    // or 'current', the page's own model; both of one data set) and resolves
    // to the report: {left: {name, kind, latent}, right: {...}}.
    async compare(sides) {
      if (sides === undefined) {
        if (!(await ready)) throw new Error('no model is loaded');
        return compareInfo();
      }
      return setCompare(sides);
    },
    // Switches to the shipped model of this kind, 'ae' (autoencoder) or 'vae',
    // for the current data set (fetched the first time); resolves when it is
    // on screen.
    async setModelKind(kind) {
      await switchModel(siteSet, kind);
      await nextFrame();
      return kind;
    },
    // How many test codes the scatter has for the model the user loaded
    // (0 until the whole test set has been encoded).
    userModelCodes() { return testSetEncoded && testSetEncoded.model === pageModel ? testSetEncoded.count : 0; },
    // Decodes many codes at once, in the decode workers when they are running:
    // codes is a Float32Array of whole codes (x,y pairs for a 2-D model);
    // resolves to a Float32Array of 784 pixel values per code.
    async decodeBatch(codes) {
      if (!(await ready)) throw new Error('no model is loaded');
      const width = Module._lp_code_width();
      if (!(codes instanceof Float32Array) || codes.length % width !== 0) {
        throw new Error(`decodeBatch: expected a Float32Array of codes of ${width} numbers each`);
      }
      await poolStarted;
      return pool.ready ? pool.decode(codes, width) : decodeHere(codes);
    },
    // Resolves to how many decode workers run once they have started (0: the
    // page decodes on its main thread).
    async decodeWorkers() {
      await poolStarted;
      return pool.ready ? pool.workers.length : 0;
    },
    // The manifold on screen: { grid, range, ms (request to texture), workers, serial }.
    manifold() { return JSON.parse(Module.UTF8ToString(Module._lp_manifold_info())); },
    // Recomputes the page's manifold at grid x grid (2-32), as the slider does;
    // resolves to manifold() once the new one is on screen.
    async rebuildManifold(grid) {
      if (!(await ready)) throw new Error('no model is loaded');
      await poolStarted;
      const before = this.manifold().serial;
      if (!Module._lp_manifold_rebuild(grid)) throw new Error(`grid must be 2-32, not ${grid}`);
      const t0 = performance.now();
      while (this.manifold().serial === before) {
        if (performance.now() - t0 > 10000) throw new Error('the manifold was not redrawn within 10 s');
        await nextFrame();
      }
      return this.manifold();
    },
    // For tools/bench/web. Mean milliseconds to decode `count` codes in one
    // batch on the main thread:
    benchDecode(count, repeats) { return Module._lp_bench_decode(count, repeats || 1); },
    // the main-thread cost of each training snapshot since the last reset:
    // [{ handler, frame, total }] in milliseconds (see snapshotCosts);
    benchSnapshots({ reset = false } = {}) {
      const samples = snapshotCosts.samples.slice();
      if (reset) snapshotCosts.samples.length = 0;
      return samples;
    },
    // the same through decodeBatch (the workers), median of `repeats`; with
    // drawing, each starts from an idle page as a new digit is drawn, so the
    // page's frame competes with the workers:
    async benchDecodeBatch(count, repeats, { drawing = false } = {}) {
      const codes = new Float32Array(2 * count).map((_, i) => (i % 2 ? 1 - 2 * ((i >> 1) % 89) / 88 : -1 + 2 * ((i >> 1) % 97) / 96));
      const times = [];
      for (let r = 0; r < repeats; r++) {
        if (drawing) {
          await new Promise((done) => setTimeout(done, 150));
          this.setLatent(Math.sin(r), Math.cos(r));
        }
        const t0 = performance.now();
        await this.decodeBatch(codes);
        times.push(performance.now() - t0);
      }
      return median(times);
    },
    // and the manifold recomputed `repeats` times, each time from an idle page
    // (as after a click on the grid slider): the median milliseconds from
    // request to texture, and how many workers decoded it.
    async benchManifold(grid, repeats) {
      const times = [];
      let workers = 0;
      for (let r = 0; r < repeats; r++) {
        await new Promise((done) => setTimeout(done, 150));
        ({ ms: times[r], workers } = await this.rebuildManifold(grid));
      }
      return { ms: median(times), workers };
    },
  };

  Object.assign(window.latentpad, LatentPadCodeSpace(Module, withHeapCopy));

  // The app itself, once window.Module is set up, unless the browser lacks
  // something it needs.
  if (unsupported) {
    failPage(unsupported);
  } else {
    const script = document.createElement('script');
    script.src = 'latentpad.js';
    script.async = true;
    script.onerror = () => failPage(couldNotDownload('latentpad.js'));
    document.body.appendChild(script);
  }
})();

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

  // Downloads start now, in parallel with compiling the wasm. A failure is kept
  // as a value and reported in the page once the app can show it.
  const downloads = FILES.map(([name, url]) =>
    fetch(url)
      .then((response) => {
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return response.arrayBuffer();
      })
      .then((buffer) => ({ name, url, bytes: new Uint8Array(buffer) }),
            (error) => ({ name, url, error })));

  let markReady;
  const ready = new Promise((resolve) => { markReady = resolve; });

  // Workers for large decodes (decode_pool.js), one per core up to four,
  // starting now alongside everything else.
  const pool = new DecodePool(Math.max(1, Math.min(4, navigator.hardwareConcurrency || 2)));
  const poolStarted = pool.start('latentpad_model.wasm', 'decode_worker.js');

  function withHeapCopy(bytes, use) {
    const pointer = Module._malloc(bytes.length);
    Module.HEAPU8.set(bytes, pointer);
    try { return use(pointer, bytes.length); } finally { Module._free(pointer); }
  }

  function setError(message) {
    Module.ccall('lp_set_error', null, ['string'], [message]);
  }

  // Returns true when the model loaded. Any problem ends up as the page's error line.
  async function loadSiteFiles() {
    let modelLoaded = false;
    for (const file of await Promise.all(downloads)) {
      if (file.error) {
        setError(`could not load ${file.url}: ${file.error.message}`);
        continue;
      }
      const ok = withHeapCopy(file.bytes, (pointer, size) =>
        Module.ccall('lp_load', 'number', ['string', 'number', 'number'], [file.name, pointer, size]));
      if (file.name === 'model') {
        modelLoaded = ok === 1;
        if (modelLoaded) pool.setModel(file.bytes);
      }
    }
    const z = new URLSearchParams(window.location.search).get('z');
    if (modelLoaded && z !== null) Module.ccall('lp_set_latent_text', 'number', ['string'], [z]);
    return modelLoaded;
  }

  // A model the user chose (the "Load model file..." button) or dropped on the
  // page. Validation happens in wasm; on failure the old model stays.
  async function loadUserModel(file) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const ok = withHeapCopy(bytes, (pointer, size) =>
      Module.ccall('lp_load_user_model', 'number', ['string', 'number', 'number'], [file.name, pointer, size])) === 1;
    if (ok) pool.setModel(bytes);
    return ok;
  }
  let lastUserLoad = Promise.resolve(null);
  function userFile(file) {
    if (file) lastUserLoad = ready.then(() => loadUserModel(file));
  }
  document.getElementById('model-file').addEventListener('change', (event) => {
    userFile(event.target.files[0]);
    event.target.value = '';  // choosing the same file again still fires
  });
  window.addEventListener('dragover', (event) => event.preventDefault());
  window.addEventListener('drop', (event) => {
    event.preventDefault();
    userFile(event.dataTransfer && event.dataTransfer.files[0]);
  });

  // Called by the wasm app (decode_in_workers in panels.cpp) for the manifold:
  // decode `count` codes in the workers, write the digits to `pixels` in wasm
  // memory, then report back. Returns 0 when the workers cannot take it.
  function decodeInWorkers(token, codes, count, pixels) {
    if (!pool.ready) return 0;
    const batch = Module.HEAPF32.slice(codes >> 2, (codes >> 2) + 2 * count);
    pool.decodeParts(batch, 2).then((parts) => {
      for (const { row, images } of parts) Module.HEAPF32.set(images, (pixels >> 2) + row * PIXELS);
      Module._lp_manifold_done(token, parts.length);
    }, (error) => {
      console.warn(`decode workers stopped (${error.message}); decoding on the main thread`);
      Module._lp_manifold_failed(token);
    });
    return pool.workers.length;
  }

  // Main-thread decoding, for when the workers are not (or no longer) there.
  function decodeHere(codes) {
    const count = codes.length / 2;
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

  const median = (values) => values.slice().sort((a, b) => a - b)[values.length >> 1];
  const nextFrame = () => new Promise((done) => requestAnimationFrame(done));

  window.Module = {
    latentpadDecodeInWorkers: decodeInWorkers,
    canvas: document.getElementById('canvas'),
    print: (text) => console.log(text),
    printErr: (text) => console.warn(text),
    onRuntimeInitialized() {
      loadSiteFiles().then(markReady, (error) => {
        setError(String(error));
        markReady(false);
      });
    },
  };

  window.latentpad = {
    // Resolves to true once the model is loaded (false if it could not be).
    ready,
    // The decoder's 784 pixel values at (x, y): a Float32Array, row-major, in [0, 1].
    decode(x, y) {
      const pointer = Module._malloc(PIXELS * 4);
      try {
        if (!Module._lp_decode(x, y, pointer)) throw new Error('no model is loaded');
        return Module.HEAPF32.slice(pointer >> 2, (pointer >> 2) + PIXELS);
      } finally {
        Module._free(pointer);
      }
    },
    setLatent(x, y) { Module._lp_set_latent(x, y); },
    getLatent() { return { x: Module._lp_get_latent(0), y: Module._lp_get_latent(1) }; },
    // The message the page shows in red, or '' when all is well.
    error() { return Module.UTF8ToString(Module._lp_error()); },
    // Where the pad and the big digit are (CSS pixels), for tests and tinkering.
    layout() { return JSON.parse(Module.UTF8ToString(Module._lp_layout())); },
    // Resolves to true/false when the last picked or dropped model has been handled.
    lastUserLoad() { return lastUserLoad; },
    // Decodes many codes at once, in the decode workers when they are running:
    // codes is a Float32Array of x,y pairs; resolves to a Float32Array of
    // 784 pixel values per code.
    async decodeBatch(codes) {
      if (!(codes instanceof Float32Array) || codes.length % 2 !== 0) throw new Error('decodeBatch: expected a Float32Array of x,y pairs');
      if (!(await ready)) throw new Error('no model is loaded');
      await poolStarted;
      return pool.ready ? pool.decode(codes, 2) : decodeHere(codes);
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
})();

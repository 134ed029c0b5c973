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
      if (file.name === 'model') modelLoaded = ok === 1;
    }
    const z = new URLSearchParams(window.location.search).get('z');
    if (modelLoaded && z !== null) Module.ccall('lp_set_latent_text', 'number', ['string'], [z]);
    return modelLoaded;
  }

  // A model the user chose (the "Load model file..." button) or dropped on the
  // page. Validation happens in wasm; on failure the old model stays.
  async function loadUserModel(file) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    return withHeapCopy(bytes, (pointer, size) =>
      Module.ccall('lp_load_user_model', 'number', ['string', 'number', 'number'], [file.name, pointer, size])) === 1;
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

  window.Module = {
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
    // Mean milliseconds to decode `count` codes in one batch (tools/bench/web).
    benchDecode(count, repeats) { return Module._lp_bench_decode(count, repeats || 1); },
  };
})();

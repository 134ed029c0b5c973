'use strict';
// What the page needs from the browser, checked before the app is loaded, and
// the messages the page shows in HTML when the app cannot run (nothing missing
// is ever left as a blank or frozen canvas). app.js uses it.
const LatentPadSupport = (() => {
  // A function returning a v128 (i32.const 0; i8x16.splat; i8x16.popcnt): it
  // validates only where WebAssembly has SIMD128.
  const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0,
                                     10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
  // f32x4.relaxed_madd of three splats: valid only with relaxed SIMD.
  const RELAXED_SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0,
                                             10, 19, 1, 17, 0, 65, 0, 253, 15, 65, 0, 253, 15, 65, 0, 253, 15,
                                             253, 133, 2, 11]);
  const SIMD_VERSIONS = 'Chrome 91, Edge 91, Firefox 89 and Safari 16.4';
  const WEBGL2_VERSIONS = 'Chrome 56, Edge 79, Firefox 51 and Safari 15';

  function hasWebGL2() {
    try {
      const gl = document.createElement('canvas').getContext('webgl2');
      if (!gl) return false;
      const lose = gl.getExtension('WEBGL_lose_context');
      if (lose) lose.loseContext();  // give the throwaway context back now
      return true;
    } catch (error) {
      return false;
    }
  }

  // The first thing the page needs and this browser lacks, as a message for
  // people ({ key, title, text }), or null when everything is there.
  function missing() {
    if (typeof WebAssembly !== 'object' || typeof WebAssembly.validate !== 'function') {
      return {
        key: 'webassembly', title: 'This browser cannot run WebAssembly',
        text: 'LatentPad runs its model as WebAssembly, which this browser does not support (or has turned off). ' +
              `Open the page in ${SIMD_VERSIONS} or later.`,
      };
    }
    let simd = false;
    try { simd = WebAssembly.validate(SIMD_PROBE); } catch (error) { simd = false; }
    if (!simd) {
      return {
        key: 'simd', title: 'This browser lacks WebAssembly SIMD',
        text: 'LatentPad\'s model code uses WebAssembly SIMD128 (128-bit vector instructions), which this browser does not support. ' +
              `It is in ${SIMD_VERSIONS} and later: update the browser or use another one.`,
      };
    }
    if (!hasWebGL2()) return webgl2Message();
    return null;
  }

  let relaxed = null;
  function hasRelaxedSimd() {
    if (relaxed === null) {
      try { relaxed = typeof WebAssembly === 'object' && WebAssembly.validate(RELAXED_SIMD_PROBE); } catch (error) { relaxed = false; }
    }
    return relaxed;
  }

  // Compiles standalone module NAME: NAME_relaxed.wasm (fused multiply-add)
  // where relaxed SIMD validates, else (or if that fails) NAME.wasm, SIMD128.
  // Resolves to { module, file, kernel: 'relaxed-simd' | 'simd128' }.
  async function compileStandalone(name) {
    const builds = [{ file: `${name}.wasm`, kernel: 'simd128' }];
    if (hasRelaxedSimd()) builds.unshift({ file: `${name}_relaxed.wasm`, kernel: 'relaxed-simd' });
    const failures = [];
    for (const build of builds) {
      try {
        const response = await fetch(build.file);
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return { ...build, module: await WebAssembly.compile(await response.arrayBuffer()) };
      } catch (error) {
        failures.push(`${build.file}: ${error.message}`);
      }
    }
    throw new Error(`could not load ${failures.join('; ')}`);
  }

  function webgl2Message() {
    return {
      key: 'webgl2', title: 'This browser cannot draw with WebGL2',
      text: 'LatentPad draws with WebGL2, and this browser could not create a WebGL2 context. ' +
            `WebGL2 is in ${WEBGL2_VERSIONS} and later. If your browser is newer, turn on hardware acceleration ` +
            'in its settings (or update the graphics driver), then reload the page.',
    };
  }

  // A wasm module this browser refused to compile (CompileError, LinkError):
  // most likely an instruction it does not know.
  function compileMessage(detail) {
    return {
      key: 'compile', title: 'This browser could not compile LatentPad',
      text: `The browser refused LatentPad's WebAssembly (${detail}). LatentPad needs WebAssembly with SIMD128, ` +
            `which is in ${SIMD_VERSIONS} and later: update the browser or use another one.`,
    };
  }

  function element(id, className) {
    let node = document.getElementById(id);
    if (!node) {
      node = document.createElement('div');
      node.id = id;
      node.className = className;
      document.body.appendChild(node);
    }
    return node;
  }

  // The page-level message that replaces the app: { title, text }.
  function showMessage({ title, text }) {
    const box = element('lp-message', 'lp-message');
    box.setAttribute('role', 'alert');
    box.replaceChildren();
    const heading = document.createElement('h1');
    heading.textContent = title;
    const body = document.createElement('p');
    body.textContent = text;
    box.append(heading, body);
    box.hidden = false;
    const canvas = document.getElementById('canvas');
    if (canvas) canvas.style.visibility = 'hidden';
  }

  // A passing notice over the app (text, or null to hide it).
  function showNotice(text) {
    const box = element('lp-notice', 'lp-notice');
    box.setAttribute('role', 'status');
    box.textContent = text || '';
    box.hidden = !text;
  }

  return { missing, webgl2Message, compileMessage, showMessage, showNotice, hasRelaxedSimd, compileStandalone,
           SIMD_PROBE, RELAXED_SIMD_PROBE };
})();

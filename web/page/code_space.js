'use strict';
// The page's code space in JavaScript (web/app/code_space.h on the wasm side):
// the model's kind and width, the full code, the pad's plane, and encoding
// and decoding codes of any width. app.js merges these into window.latentpad.
//
//   model()        {kind: 'autoencoder'|'variational autoencoder', latent,
//                   encoder: [sizes], decoder: [sizes], activation, dataset}
//   code()         the full code, a Float32Array of the model's width
//   setCode(z)     sets it (an array of that width); the digit follows
//   setPlane(p)    {axes: [i, j]} or {pca: true}, optionally with
//                  anchor: 'origin' | 'drawing' | {testImage: n}
//   plane()        {axes, pca, anchor, u, v}: anchor, u and v are Float32Arrays
//                  of the model's width (the plane is anchor + a u + b v)
//   encode(pixels) {x, y, code}: the pad coordinates and the full code (mu)
//   decode(x, y)   the digit at pad coordinates (x, y) (a 2-D model: the code)
//   decode(z)      the digit of a full code (an array of the model's width)
//   reconstruction() the Reconstruction panel's {index, sampled, mse, z}: the
//                  test image, whether z was drawn from a VAE's posterior
//                  (else mu), the MSE of its reconstruction, and z
//   priorSamples() the codes of the Manifold panel's prior strip, left to
//                  right: {count, codes} (count x the model's width floats)
// eslint-disable-next-line no-unused-vars
function LatentPadCodeSpace(Module, withHeapCopy) {
  const PIXELS = 784;
  const floatsAt = (pointer, count) => Module.HEAPF32.slice(pointer >> 2, (pointer >> 2) + count);
  const width = () => Module._lp_code_width();
  const bytesOf = (floats) => new Uint8Array(floats.buffer, floats.byteOffset, floats.byteLength);
  function codeArray(z, what) {
    const n = width();
    if (!n) throw new Error('no model is loaded');
    if (!(z instanceof Float32Array) && !Array.isArray(z)) throw new Error(`${what}: expected an array of ${n} numbers`);
    if (z.length !== n) throw new Error(`${what}: the model's code has ${n} numbers, not ${z.length}`);
    const code = Float32Array.from(z);
    if (!code.every(Number.isFinite)) throw new Error(`${what}: every number must be finite`);
    return code;
  }
  function withOutput(count, use) {
    const pointer = Module._malloc(count * 4);
    try { return use(pointer); } finally { Module._free(pointer); }
  }
  const ANCHORS = ['origin', 'test image', 'drawing'];

  return {
    model() {
      if (!width()) throw new Error('no model is loaded');
      return JSON.parse(Module.UTF8ToString(Module._lp_model_info()));
    },
    code() { return floatsAt(Module._lp_code(), width()); },
    setCode(z) {
      const code = codeArray(z, 'setCode');
      withHeapCopy(bytesOf(code), (pointer) => Module._lp_set_code(pointer, code.length));
      return this.code();
    },
    setPlane({ axes, pca = false, anchor = 'origin' } = {}) {
      const n = width();
      if (!n) throw new Error('no model is loaded');
      const [i, j] = pca ? [0, Math.min(1, n - 1)] : (axes || []);
      if (!pca && !(Number.isInteger(i) && Number.isInteger(j) && i >= 0 && j >= 0 && i < n && j < n && (i !== j || n === 1)))
        throw new Error(`setPlane: axes must be two different code dimensions from 0 to ${n - 1}, or use {pca: true}`);
      let kind = 0, image = 0;
      if (anchor === 'drawing') kind = 2;
      else if (anchor && typeof anchor === 'object' && Number.isInteger(anchor.testImage)) kind = 1, image = anchor.testImage;
      else if (anchor !== 'origin') throw new Error("setPlane: anchor must be 'origin', 'drawing' or {testImage: n}");
      if (!Module._lp_set_plane(pca ? 1 : 0, i, j, kind, image)) throw new Error(`setPlane: test image ${image} is not one of the page's`);
      return this.plane();
    },
    plane() {
      const n = width();
      if (!n) throw new Error('no model is loaded');
      const info = JSON.parse(Module.UTF8ToString(Module._lp_plane_info()));
      return {
        axes: info.axes, pca: info.pca, anchor: floatsAt(Module._lp_plane_vector(0), n),
        anchorKind: info.anchor === ANCHORS[1] ? { testImage: info.image } : info.anchor,
        u: floatsAt(Module._lp_plane_vector(1), n), v: floatsAt(Module._lp_plane_vector(2), n),
      };
    },
    reconstruction() { return JSON.parse(Module.UTF8ToString(Module._lp_reconstruction_info())); },
    priorSamples() {
      const count = Module._lp_prior_count();
      return { count, codes: floatsAt(Module._lp_prior_codes(), count * width()) };
    },
    encode(pixels) {
      if (!(pixels instanceof Float32Array) && !Array.isArray(pixels)) throw new Error(`encode: expected ${PIXELS} pixel values`);
      if (pixels.length !== PIXELS) throw new Error(`encode: expected ${PIXELS} pixel values, got ${pixels.length}`);
      const n = width();
      const input = Float32Array.from(pixels);
      return withHeapCopy(bytesOf(input), (pointer) => withOutput(n + 2, (out) => {
        if (!Module._lp_encode(pointer, out, out + 4 * n)) throw new Error('encode: the page\'s model has no encoder of 28x28 images');
        const xy = floatsAt(out + 4 * n, 2);
        return { x: xy[0], y: xy[1], code: floatsAt(out, n) };
      }));
    },
    decode(x, y) {
      return withOutput(PIXELS, (out) => {
        if (typeof x === 'number' && typeof y === 'number') {
          if (!Module._lp_decode(x, y, out)) throw new Error('no model is loaded');
        } else {
          const code = codeArray(x, 'decode');
          withHeapCopy(bytesOf(code), (pointer) => Module._lp_decode_batch(pointer, 1, out));
        }
        return floatsAt(out, PIXELS);
      });
    },
  };
}

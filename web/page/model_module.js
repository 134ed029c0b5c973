// JavaScript side of latentpad_model.wasm (web/modules/model_module.cpp): the model
// library without Emscripten glue, so that one small module serves the page's
// decode workers, the Node parity test and the benchmark alike.
//
//   const model = await instantiateModel(bytesOrCompiledModule);
//   model.load(modelFileBytes);          // null, or the reason it was refused
//   const images = model.decode(codes);  // Float32Array, count x imageSize

import { instantiateStandalone } from './standalone_wasm.js';

export async function instantiateModel(source) {
  const { wasm, string } = await instantiateStandalone(source, 'latentpad_model.wasm');
  // Runs `body` with `input` copied into wasm memory and room for `outputBytes`
  // more; both are freed afterwards, whatever happens.
  function withBuffers(input, outputBytes, body) {
    const inPointer = wasm.malloc(input.byteLength);
    const outPointer = wasm.malloc(Math.max(outputBytes, 1));
    try {
      if (!inPointer || !outPointer) throw new Error('latentpad_model.wasm is out of memory');
      new Uint8Array(wasm.memory.buffer).set(new Uint8Array(input.buffer, input.byteOffset, input.byteLength), inPointer);
      return body(inPointer, outPointer);
    } finally {
      wasm.free(inPointer);
      wasm.free(outPointer);
    }
  }
  // One direction through the network: `count` rows of `from` floats in, `to` out.
  function run(entry, rows, from, to, what) {
    if (from === 0) throw new Error(`${what}: no model is loaded`);
    if (!(rows instanceof Float32Array) || rows.length % from !== 0) {
      throw new Error(`${what}: expected a Float32Array holding a whole number of ${from}-float rows`);
    }
    const count = rows.length / from;
    return withBuffers(rows, count * to * 4, (inPointer, outPointer) => {
      if (!entry(inPointer, count, outPointer)) throw new Error(`${what}: ${string(wasm.lpm_error())}`);
      return new Float32Array(wasm.memory.buffer, outPointer, count * to).slice();
    });
  }

  return {
    kernel: () => string(wasm.lpm_kernel()),
    get codeSize() { return wasm.lpm_code_size(); },
    get imageSize() { return wasm.lpm_image_size(); },
    load(bytes) {
      return withBuffers(bytes, 0, (pointer) => (wasm.lpm_load(pointer, bytes.byteLength) ? null : string(wasm.lpm_error())));
    },
    decode(codes) { return run(wasm.lpm_decode, codes, this.codeSize, this.imageSize, 'decode'); },
    encode(images) { return run(wasm.lpm_encode, images, this.imageSize, this.codeSize, 'encode'); },
    // Each image's reconstruction error: the mean over its pixels of
    // (decode(encode(image)) - image)^2, as src/eval's reconstruction_errors.
    errors(images) {
      const size = this.imageSize;
      const recon = this.decode(this.encode(images));
      const errors = new Float32Array(images.length / size);
      for (let i = 0, k = 0; i < errors.length; i++) {
        let sum = 0;
        for (let j = 0; j < size; j++, k++) sum += (recon[k] - images[k]) ** 2;
        errors[i] = sum / size;
      }
      return errors;
    },
  };
}

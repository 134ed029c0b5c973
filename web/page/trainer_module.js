// JavaScript side of latentpad_trainer.wasm (web/modules/trainer_module.cpp): src/'s
// trainer without Emscripten glue. The page's training worker uses it, and so
// does the Node parity test.
//
//   const trainer = await instantiateTrainer(bytesOrCompiledModule);
//   trainer.setData(0..3, idxBytes);     // train images, train labels, test images, test labels
//   trainer.start({ epochs, lr, batch, seed, limit });
//   while (trainer.steps(20) === STATUS.running) { ... trainer.progress() ... }
//   const lpad = trainer.modelBytes();   // an .lpad file

export const PART = { trainImages: 0, trainLabels: 1, testImages: 2, testLabels: 3 };
export const STATUS = { running: 0, epochDone: 1, finished: 2, diverged: 3, failed: 4 };

import { instantiateStandalone } from './standalone_wasm.js';

export async function instantiateTrainer(source) {
  const { wasm, string, withCopy, withString, bytesOut } =
    await instantiateStandalone(source, 'latentpad_trainer.wasm');
  const error = () => string(wasm.lpt_error());

  return {
    setData(part, bytes) {
      if (!withCopy(bytes, (pointer) => wasm.lpt_set_data(part, pointer, bytes.byteLength))) throw new Error(error());
    },
    // A model to fine-tune (the bytes of an .lpad file), or null for a fresh one.
    setStartModel(bytes) {
      const data = bytes || new Uint8Array(0);
      if (!withCopy(data, (pointer) => wasm.lpt_set_model(pointer, data.byteLength))) throw new Error(error());
    },
    setMeta(key, value) {
      withString(key, (k) => withString(String(value), (v) => wasm.lpt_set_meta(k, v)));
    },
    start({ epochs = 5, lr = 1e-3, batch = 64, seed = 0, limit = 0 } = {}) {
      if (!wasm.lpt_start(epochs, lr, batch, seed, limit)) throw new Error(error());
    },
    // Trains up to `count` batches; returns a STATUS. diverged and failed
    // leave the reason in lastError().
    steps(count) { return wasm.lpt_steps(count); },
    lastError: error,
    progress() {
      const p = (i) => wasm.lpt_progress(i);
      return {
        epoch: p(0), batch: p(1), batches: p(2), loss: p(3), trainLoss: p(4), testMse: p(5), step: p(6),
        images: p(7), untrainedLoss: p(8), lr: p(9),
      };
    },
    modelBytes() {
      const lpad = bytesOut((sizePointer) => wasm.lpt_model(sizePointer));
      if (!lpad) throw new Error(error());
      return lpad;
    },
    // The current model's parameters, flat (the order of
    // autoencoder_parameters_get in src/nn/autoencoder.h): a Float32Array.
    parameters() {
      const countPointer = wasm.malloc(4);
      try {
        const pointer = wasm.lpt_parameters(countPointer);
        if (!pointer) throw new Error(error());
        const count = new Int32Array(wasm.memory.buffer, countPointer, 1)[0];
        return new Float32Array(wasm.memory.buffer, pointer, count).slice();
      } finally {
        wasm.free(countPointer);
      }
    },
    // The current model's codes of the first `count` test images, and their labels.
    testCodes(count) {
      const pointer = wasm.malloc(count * 8);
      try {
        const n = wasm.lpt_test_codes(count, pointer);
        const codes = new Float32Array(wasm.memory.buffer, pointer, 2 * n).slice();
        const labels = new Uint8Array(wasm.memory.buffer, wasm.lpt_test_labels(), n).slice();
        return { codes, labels };
      } finally {
        wasm.free(pointer);
      }
    },
  };
}

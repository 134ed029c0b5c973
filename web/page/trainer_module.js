// JavaScript side of latentpad_trainer.wasm (web/modules/trainer_module.cpp): src/'s
// trainer without Emscripten glue. The page's training worker uses it, and so
// does the Node parity test.
//
//   const trainer = await instantiateTrainer(bytesOrCompiledModule);
//   trainer.setData(0..3, idxBytes);     // train images, train labels, test images, test labels
//   trainer.start({ epochs, lr, batch, seed, limit,
//                   model, beta, latent, hidden, activation, loss });  // see architecture()
//   while (trainer.steps(20) === STATUS.running) { ... trainer.progress() ... }
//   const lpad = trainer.modelBytes();   // an .lpad file

export const PART = { trainImages: 0, trainLabels: 1, testImages: 2, testLabels: 3 };
export const STATUS = { running: 0, epochDone: 1, finished: 2, diverged: 3, failed: 4 };

import { instantiateStandalone } from './standalone_wasm.js';

export const MAX_LATENT = 256;        // src/nn/autoencoder.h's kMaxLatent
export const MAX_HIDDEN_LAYERS = 8;   // trainer_module.cpp's limits
export const MAX_HIDDEN_WIDTH = 4096;

// The model and loss of a run, checked, with the tutorial's recipe as the
// defaults: { model: 'ae'|'vae', beta (the KL term's weight, finite, >= 0),
// latent (the code width, 1..256), hidden (the encoder's hidden sizes, an
// array or a string such as '256,128,64'; the decoder mirrors them; at most 8,
// each 1..4096), activation: 'tanh'|'relu', loss: 'mse'|'bce' }. Throws an
// Error saying what is wrong. What page/train.js checks before a run starts,
// and what start() below hands to the module.
export function architecture({ model = 'ae', beta = 1, latent = 2, hidden = [256, 128, 64], activation = 'tanh',
                               loss = 'mse' } = {}) {
  const show = (v) => (typeof v === 'string' ? `'${v}'` : Number.isNaN(v) ? 'NaN' : JSON.stringify(v) ?? String(v));
  if (!['ae', 'vae'].includes(model)) throw new Error(`model must be 'ae' (autoencoder) or 'vae' (variational autoencoder), not ${show(model)}`);
  if (typeof beta !== 'number' || !Number.isFinite(beta) || beta < 0) throw new Error(`beta must be a finite number >= 0, not ${show(beta)}`);
  if (!Number.isInteger(latent) || latent < 1 || latent > MAX_LATENT)
    throw new Error(`latent (the code width) must be a whole number from 1 to ${MAX_LATENT}, not ${show(latent)}`);
  let sizes = hidden;
  if (typeof hidden === 'string') {
    const text = hidden.trim();
    sizes = text === '' ? [] : text.split(',').map((field) => (/^\s*\d+\s*$/.test(field) ? Number(field) : NaN));
  }
  if (!Array.isArray(sizes) || sizes.some((v) => !Number.isInteger(v)))
    throw new Error(`hidden must list whole layer sizes, such as [256, 128, 64] or '256,128,64', not ${show(hidden)}`);
  if (sizes.length > MAX_HIDDEN_LAYERS) throw new Error(`hidden may list at most ${MAX_HIDDEN_LAYERS} layer sizes, not ${sizes.length}`);
  const bad = sizes.find((v) => v < 1 || v > MAX_HIDDEN_WIDTH);
  if (bad !== undefined) throw new Error(`hidden layer sizes must be from 1 to ${MAX_HIDDEN_WIDTH}, not ${bad}`);
  if (!['tanh', 'relu'].includes(activation)) throw new Error(`activation must be 'tanh' or 'relu', not ${show(activation)}`);
  if (!['mse', 'bce'].includes(loss)) throw new Error(`loss must be 'mse' or 'bce', not ${show(loss)}`);
  return { model, beta, latent, hidden: sizes.slice(), activation, loss };
}

// sharedMemory: the threaded build's memory (trainer_threads.js makes it).
export async function instantiateTrainer(source, sharedMemory = null) {
  const { wasm, string, withCopy, withString, bytesOut } =
    await instantiateStandalone(source, sharedMemory ? 'latentpad_trainer_mt.wasm' : 'latentpad_trainer.wasm',
                                sharedMemory);
  const error = () => string(wasm.lpt_error());

  return {
    wasm,
    // The next runs' threads, which are also each batch's shards: the
    // results depend on it as the native trainer's on --threads. Only the
    // threaded build takes more than 1 (trainer_threads.js starts its workers).
    setThreads(threads) {
      if (!wasm.lpt_threads(threads)) throw new Error(error());
    },
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
    // The architecture alone (architecture()'s options), checked against the
    // model set with setStartModel: what the worker asks before it downloads.
    configure(options = {}) {
      const a = architecture(options);
      const hidden = new Int32Array(a.hidden);
      const ok = withCopy(new Uint8Array(hidden.buffer), (pointer) => wasm.lpt_configure(
        a.model === 'vae' ? 2 : 1, a.beta, a.latent, pointer, hidden.length, a.activation === 'relu' ? 1 : 0,
        a.loss === 'bce' ? 1 : 0));
      if (!ok) throw new Error(error());
      return a;
    },
    start({ epochs = 5, lr = 1e-3, batch = 64, seed = 0, limit = 0, ...options } = {}) {
      this.configure(options);
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
        images: p(7), untrainedLoss: p(8), lr: p(9), codeWidth: p(10), vae: p(11) === 1,
        // A VAE's loss is recon + beta * kl (per image); null for an autoencoder.
        recon: p(11) === 1 ? p(12) : null, kl: p(11) === 1 ? p(13) : null,
        trainRecon: p(11) === 1 ? p(14) : null, trainKl: p(11) === 1 ? p(15) : null,
        threads: p(16),
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
    // The current model's codes of the first `count` test images (mu for a
    // VAE), n x width floats image after image, their labels, and the width.
    testCodes(count) {
      const width = wasm.lpt_progress(10);
      const pointer = wasm.malloc(Math.max(1, count * width * 4));
      try {
        const n = wasm.lpt_test_codes(count, pointer);
        const codes = new Float32Array(wasm.memory.buffer, pointer, width * n).slice();
        const labels = new Uint8Array(wasm.memory.buffer, wasm.lpt_test_labels(), n).slice();
        return { codes, labels, width };
      } finally {
        wasm.free(pointer);
      }
    },
  };
}

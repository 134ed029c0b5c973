'use strict';
// Spreads a large decode (the 32x32 manifold is 1,024 digits) over a few Web
// Workers, each running its own copy of the model (decode_worker.js), so the
// work uses every core and the page's main thread stays free to draw.
// SharedArrayBuffer would need cross-origin isolation headers, which a plain
// static host cannot set, so codes go out and images come back as messages.
// If workers cannot start, or one fails, `ready` stays false and the page
// decodes on its main thread instead.
class DecodePool {
  constructor(size) {
    this.size = size;
    this.workers = [];
    this.pending = new Map();  // message id -> { resolve, reject }
    this.nextId = 1;
    this.model = null;         // the bytes of the page's current model
    this.ready = false;
    this.failure = null;       // why the pool stopped, if it did
    this.kernel = null;        // the dense kernel the workers run, as the model module names it
  }

  // Starts the workers and waits until each has instantiated the model module
  // (and has the current model, if there is one yet). compiled: a promise of
  // the compiled latentpad_model module (LatentPadSupport.compileStandalone's
  // { module }), compiled once for all the workers.
  async start(compiled, workerUrl) {
    try {
      const { module } = await compiled;
      const started = [];
      for (let i = 0; i < this.size; i++) {
        const worker = new Worker(workerUrl, { type: 'module' });
        worker.onmessage = ({ data }) => this.reply(data);
        worker.onerror = (event) => this.fail(new Error(`decode worker: ${event.message || 'failed to start'}`));
        this.workers.push(worker);
        started.push(this.send(worker, { type: 'init', module }).then(({ kernel }) => { this.kernel = kernel; }));
        if (this.model) started.push(this.send(worker, { type: 'model', bytes: this.model }));
      }
      await Promise.all(started);
      this.ready = this.failure === null;
    } catch (error) {
      this.fail(error);
    }
    return this.ready;
  }

  // The page loaded a new model: every later decode must use it. Messages are
  // handled in order, so no decode can overtake this.
  // bytes: an .lpad file's, kept (not copied: nothing writes to it).
  // copies: optional copies of bytes, one per worker, that the caller made
  // elsewhere (a training snapshot's, made in the training worker); each
  // worker missing one gets a copy made here.
  setModel(bytes, copies = null) {
    this.model = bytes;
    // A copy each, handed over rather than cloned by postMessage.
    for (const [i, worker] of this.workers.entries()) {
      const copy = copies && copies[i] && copies[i].byteLength === bytes.byteLength ? copies[i] : this.model.slice();
      this.send(worker, { type: 'model', bytes: copy }, [copy.buffer]).catch((error) => this.fail(error));
    }
  }

  // codes: rows of `codeSize` floats. Resolves to [{ row, images }]: each
  // worker's share, `images` holding the decoded rows from `row` on.
  decodeParts(codes, codeSize) { return this.parts('decode', codes, codeSize); }

  // Rows of `width` floats through every worker's `type` job ('decode' or
  // 'encode'), in shares of multiples of 4 rows (the SIMD kernel's tile height).
  parts(type, rows, width) {
    if (!this.ready) return Promise.reject(new Error(this.failure || 'the decode workers are not ready'));
    const count = rows.length / width;
    const share = Math.max(4, Math.ceil(count / this.workers.length / 4) * 4);
    const parts = [];
    for (let row = 0, i = 0; row < count; row += share, i++) {
      const slice = rows.slice(row * width, Math.min(count, row + share) * width);
      parts.push(this.send(this.workers[i], { type, codes: slice }, [slice.buffer])
        .then(({ images }) => ({ row, images })));
    }
    return Promise.all(parts);
  }

  // Decoded rows, assembled into one Float32Array of rows x imageSize floats.
  async decode(codes, codeSize) { return DecodePool.assemble(await this.decodeParts(codes, codeSize)); }

  // Images (rows of imageSize floats) to their codes, in one Float32Array.
  async encode(images, imageSize) { return DecodePool.assemble(await this.parts('encode', images, imageSize)); }

  // Images kept by one worker, so that errors() can measure them under every
  // new model without sending them again; `key` names them. One worker, not
  // all: while a run trains, the trainer has a core already, and the main
  // thread keeps more of the other when only one worker runs beside it.
  setImages(key, images) {
    if (!this.ready) return;
    this.imagesKey = key;
    const worker = this.workers[this.workers.length - 1];
    this.send(worker, { type: 'images', codes: images }, [images.buffer]).catch((error) => this.fail(error));
  }

  // The kept images' reconstruction errors under the current model (one float each).
  async errors() {
    if (!this.ready) throw new Error(this.failure || 'the decode workers are not ready');
    return (await this.send(this.workers[this.workers.length - 1], { type: 'errors' })).images;
  }

  static assemble(parts) {
    const total = parts.reduce((sum, part) => sum + part.images.length, 0);
    const images = new Float32Array(total);
    let offset = 0;
    for (const part of parts) {
      images.set(part.images, offset);
      offset += part.images.length;
    }
    return images;
  }

  send(worker, message, transfer = []) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...message, id }, transfer);
    });
  }

  // A worker that reports an error is not trusted again: the whole pool stops
  // and the page falls back to its main thread, rather than retrying forever.
  reply({ id, error, ...result }) {
    const waiting = this.pending.get(id);
    if (!waiting) return;
    this.pending.delete(id);
    if (error) {
      waiting.reject(new Error(error));
      this.fail(new Error(error));
    } else {
      waiting.resolve(result);
    }
  }

  fail(error) {
    if (this.failure === null) this.failure = String(error.message || error);
    this.ready = false;
    for (const worker of this.workers) worker.terminate();
    for (const waiting of this.pending.values()) waiting.reject(new Error(this.failure));
    this.pending.clear();
  }
}

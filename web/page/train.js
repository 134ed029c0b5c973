'use strict';
// Training in the page: the controller between the Train panel (and
// window.latentpad.train) and the training worker (train_worker.js), which
// runs src/'s trainer compiled to wasm (latentpad_trainer.wasm).
//
// The training data are fetched only when a run starts: gzipped IDX files
// that `latentpad site-data` writes to train/<dataset>/ in the site folder.
// While a run trains, the worker's snapshots become the page's model a few
// times a second (so the scatter, the digit and the manifold follow it);
// when it ends or is stopped, the trained model stays. A run that diverges,
// or fails, puts the previous model back.
//
// A run trains any model the library trains: start()'s model, beta, latent,
// hidden, activation and loss (trainer_module.js's architecture() checks
// them; the defaults are the tutorial's recipe). A VAE's reports carry its
// loss's two terms, status().train_recon and train_kl (null for an
// autoencoder). Snapshots carry the codes at the model's width (codeWidth).
//
// Threads: start()'s `threads` (by default navigator.hardwareConcurrency - 1,
// at least 1) is how many threads train and how many shards each batch is
// split into, as the native trainer's --threads. More than one needs shared
// memory, which a browser gives only a cross-origin isolated page (its server
// sends COOP: same-origin and COEP: require-corp, as tools/demo's does): the
// worker then runs latentpad_trainer_mt.wasm with threads - 1 Web Workers of
// its own (trainer_threads.js). Elsewhere, and where the threaded build cannot
// run (the browser will not reserve its shared memory, or its threads do not
// start), the run trains on one thread, as latentpad_trainer.wasm, and
// status().threads_note says why (so does the 'training on ...' message).
// status().threads is the run's thread count, threads_requested what was
// asked for; at the end of a run, worker_tasks is how many thread-pool tasks
// (batch shards, and the test set's evaluation and scatter codes) the worker
// threads, not the training thread, ran.

const TRAIN_FILES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz',
                     't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];
const TRAIN_STATES = ['idle', 'downloading', 'training', 'paused', 'done', 'diverged', 'failed'];
const MAX_TRAIN_THREADS = 64;  // trainer_module.cpp's lpt_threads

// Whether this page can train on several threads (shared memory).
function trainThreadsSupported() {
  return typeof SharedArrayBuffer !== 'undefined' && self.crossOriginIsolated === true;
}
// One thread per core but one (the page's own thread draws), at least one.
function defaultTrainThreads() {
  return Math.min(MAX_TRAIN_THREADS, Math.max(1, (Number(navigator.hardwareConcurrency) || 1) - 1));
}

class TrainController {
  // hooks: showModel(bytes, codes, labels, parameters, codeWidth, copies) makes a
  // snapshot the page's model (codes: n x codeWidth floats; parameters: the
  // same model's flat parameters, or null for a run's first snapshot, whose
  // file must be loaded whole; copies: modelCopies() copies of bytes, for the
  // decode workers);
  // modelCopies() says how many copies of each snapshot's file to make;
  // restoreModel() puts back the model from before the run;
  // onStatus(status, history) mirrors progress into the Train panel.
  constructor(hooks) {
    this.hooks = hooks;
    this.worker = null;
    this.modules = {};  // compiled trainers by name (latentpad_trainer, latentpad_trainer_mt)
    this.run = 0;  // runs started, so a late message of an old run is ignored
    this.statusValue = { state: 'idle', epoch: 0, batch: 0, images_per_s: 0, train_loss: null, test_mse: null,
                         train_recon: null, train_kl: null, message: '', threads: 0,
                         threads_requested: defaultTrainThreads(), threads_note: '' };
    this.extra = { batches: 0, epochs: 0, download: 0, step: 0 };
    this.model = null;  // the latest snapshot (an .lpad file's bytes)
    this.ended = null;
  }

  status() { return { ...this.statusValue }; }

  modelBytes() {
    if (!this.model) throw new Error('no model has been trained yet');
    return this.model.slice();
  }

  async start({ dataset = 'mnist', epochs = 5, lr = 1e-3, batch = 64, seed = 2, limit = 0, fromCurrent = false,
                currentModel = null, threads = undefined, ...options } = {}) {
    if (!['mnist', 'fashion'].includes(dataset)) throw new Error(`dataset must be 'mnist' or 'fashion', not '${dataset}'`);
    const whole = (v, lo, hi) => Number.isInteger(v) && v >= lo && v <= hi;
    if (!whole(epochs, 1, 1000)) throw new Error('epochs must be a whole number from 1 to 1000');
    if (!whole(batch, 1, 4096)) throw new Error('batch must be a whole number from 1 to 4096');
    if (!whole(seed, 0, Number.MAX_SAFE_INTEGER)) throw new Error('seed must be a whole number from 0');
    if (!whole(limit, 0, 1e9)) throw new Error('limit must be a whole number from 0');
    if (!(typeof lr === 'number' && lr > 0 && lr <= 10)) throw new Error('lr must be a number above 0 and at most 10');
    if (threads === undefined || threads === null) threads = defaultTrainThreads();
    if (!whole(threads, 1, MAX_TRAIN_THREADS)) throw new Error(`threads must be a whole number from 1 to ${MAX_TRAIN_THREADS}`);
    const { architecture } = await import('./trainer_module.js');
    const arch = architecture(options);  // throws, naming the bad setting
    if (fromCurrent && !currentModel) throw new Error('cannot start: fine-tuning needs a loaded model');
    // One start at a time: a second one waits until the first has begun, then
    // stops that run and starts its own.
    const previous = this.starting;
    let release;
    this.starting = new Promise((resolve) => { release = resolve; });
    try {
      await previous;
      if (['downloading', 'training', 'paused'].includes(this.statusValue.state)) await this.stop();
      const status = await this.begin({ dataset, epochs, lr, batch, seed, limit, fromCurrent, currentModel, arch, threads });
      // Settings the worker refused before downloading (a fine-tuning run
      // whose loaded model has another architecture): start() rejects.
      if (this.refused) throw new Error(status.message);
      return status;
    } finally {
      release();
    }
  }

  async begin({ dataset, epochs, lr, batch, seed, limit, fromCurrent, currentModel, arch, threads }) {
    const run = ++this.run;
    this.refused = false;
    this.posted = false;  // whether the worker has this run yet (stop() before that ends it here)
    // Both promises exist before the first await, so stop() and finished()
    // always have something to wait on.
    const started = new Promise((resolve) => { this.onStarted = resolve; });
    this.ended = new Promise((resolve) => { this.onEnded = resolve; });
    if (!this.worker) {
      this.worker = new Worker('train_worker.js', { type: 'module' });
      this.worker.onmessage = ({ data }) => this.receive(data);
      // A worker that cannot load or crashes is not reused: the run fails and
      // the next start makes a new one.
      this.worker.onerror = (event) => {
        event.preventDefault();
        this.worker.terminate();
        this.worker = null;
        this.receive({ type: 'end', run: this.run, state: 'failed',
                       message: `the training worker stopped: ${event.message || 'it could not be loaded'}` });
      };
    }
    // Several threads need the threaded build and shared memory; without
    // them the run trains on one thread and says why.
    const isolated = trainThreadsSupported();
    const used = isolated ? threads : 1;
    this.threadNote = threads > 1 && !isolated
      ? `not ${threads}: this page is not cross-origin isolated (its server does not send the COOP/COEP ` +
        'headers), so the browser gives it no shared memory'
      : '';
    const name = used > 1 ? 'latentpad_trainer_mt' : 'latentpad_trainer';
    // A threaded run also takes the single-thread build, for the worker to
    // fall back on if the threaded one cannot run there (train_worker.js).
    const names = used > 1 ? [name, 'latentpad_trainer'] : [name];
    for (const n of names) {
      // The relaxed-SIMD build where the browser has it (support.js).
      if (!this.modules[n]) this.modules[n] = LatentPadSupport.compileStandalone(n);
    }
    this.model = null;
    this.extra = { batches: 0, epochs, download: 0, step: 0 };
    // losses: [[step, loss]...]; testMse: [[epoch, mse]...]; a VAE's loss terms
    // at the losses' steps: recon and kl, [[step, value]...] (empty otherwise).
    this.history = { losses: [], testMse: [], recon: [], kl: [] };
    this.setStatus({ state: 'downloading', epoch: 0, batch: 0, images_per_s: 0, train_loss: null, test_mse: null,
                     train_recon: null, train_kl: null, message: `fetching ${dataset} training data`, threads: used,
                     threads_requested: threads, threads_note: this.threadNote });
    // The run needs its own build; the fallback is only sent if it compiled.
    const settled = await Promise.allSettled(names.map((n) => this.modules[n]));
    settled.forEach((result, i) => { if (result.status === 'rejected') this.modules[names[i]] = null; });
    if (settled[0].status === 'rejected') {
      this.receive({ type: 'end', run, state: 'failed', message: settled[0].reason.message });
      return this.status();
    }
    const [{ module, kernel }, fallback] = settled.map((result) => result.value);
    const trainedIn = (file, build, threadCount) =>
      `browser (${file}.wasm, ${build === 'relaxed-simd' ? 'WebAssembly relaxed SIMD' : 'WebAssembly SIMD128'}` +
      `${threadCount > 1 ? `, ${threadCount} threads` : ''})`;
    if (run !== this.run || !this.worker || this.statusValue.state !== 'downloading') return this.status();
    this.posted = true;
    this.worker.postMessage({
      type: 'start', run, module, dataset, threads: used, moduleKey: `${name}/${kernel}`,
      files: TRAIN_FILES.map((f) => `train/${dataset}/${f}`),
      config: { epochs, lr, batch, seed, limit, ...arch },
      startModel: fromCurrent ? currentModel : null,
      // Copies of each snapshot's file for the page's decode workers, made in
      // the training worker rather than on the main thread.
      copies: this.hooks.modelCopies ? this.hooks.modelCopies() : 0,
      fallback: fallback
        ? { module: fallback.module, meta: { trained_in: trainedIn('latentpad_trainer', fallback.kernel, 1) } }
        : null,
      meta: { dataset, trained_in: trainedIn(name, kernel, used),
              created: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
              limit: String(limit), start: fromCurrent ? 'the model loaded in the page' : `seed ${seed}` },
    });
    await Promise.race([started, this.ended]);
    return this.status();
  }

  pause() {
    if (this.statusValue.state !== 'training') return;
    this.worker.postMessage({ type: 'pause' });
  }

  resume() {
    if (this.statusValue.state !== 'paused') return;
    this.worker.postMessage({ type: 'resume' });
    this.setStatus({ state: 'training', message: '' });
  }

  // Resolves once the run has ended (the model so far stays).
  async stop() {
    if (!['downloading', 'training', 'paused'].includes(this.statusValue.state)) return this.status();
    if (this.posted && this.worker) this.worker.postMessage({ type: 'stop' });
    else this.receive({ type: 'end', run: this.run, state: 'done', stopped: true, beforeFirstStep: true });
    await this.ended;
    return this.status();
  }

  // Resolves when the current run ends.
  async finished() {
    if (this.ended) await this.ended;
    return this.status();
  }

  receive(message) {
    if (message.run !== undefined && message.run !== this.run) return;
    const p = message;
    switch (message.type) {
      case 'download':
        this.extra.download = p.total > 0 ? p.loaded / p.total : 0;
        this.setStatus({ message: `fetching training data: ${(p.loaded / 1e6).toFixed(1)} of ${(p.total / 1e6).toFixed(1)} MB` });
        break;
      case 'started': {
        this.extra.batches = p.batches;
        // The threads the run really has (a threaded start that failed falls back to one).
        const note = p.threadNote || this.threadNote;
        this.setStatus({ state: 'training', threads: p.threads, threads_note: note,
                         message: `training on ${p.images} images, ${p.threads} thread${p.threads === 1 ? '' : 's'}` +
                                  `${note ? ` (${note})` : ''}` });
        if (this.onStarted) this.onStarted();
        break;
      }
      case 'progress':
        this.extra.batches = p.batches;
        this.extra.step = p.step;
        this.addPoints(p);
        this.model = p.model;
        this.hooks.showModel(p.model, p.codes, p.labels, p.first ? null : p.parameters, p.codeWidth, p.copies);
        this.setStatus({ state: p.paused ? 'paused' : 'training', epoch: p.epoch, batch: p.batch,
                         images_per_s: p.paused ? 0 : p.imagesPerSecond, train_loss: p.loss,
                         train_recon: p.recon, train_kl: p.kl, message: p.paused ? 'paused' : '' });
        break;
      case 'epoch':
        this.addPoints(p);
        this.history.testMse.push([p.epoch, p.testMse]);
        this.setStatus({ epoch: p.epoch, batch: 0, test_mse: p.testMse, train_loss: p.trainLoss,
                         train_recon: p.trainRecon, train_kl: p.trainKl });
        break;
      case 'end': {
        this.extra.step = p.step || this.extra.step;
        this.addPoints(p);
        if (p.refused) {
          // Settings refused before anything was fetched: the page keeps its model.
          this.refused = true;
          this.setStatus({ state: 'failed', images_per_s: 0, message: p.message });
        } else if (p.state === 'done' && p.beforeFirstStep) {
          // Stopped while downloading: nothing was trained, the page keeps its model.
          this.hooks.restoreModel();
          this.setStatus({ state: 'idle', images_per_s: 0, message: 'stopped before the first step; the page keeps its model' });
        } else if (p.state === 'done') {
          this.model = p.model;
          this.hooks.showModel(p.model, p.codes, p.labels, p.first ? null : p.parameters, p.codeWidth, p.copies);
          const how = p.stopped ? `stopped at epoch ${p.epoch + 1}, batch ${p.batch}` : `finished ${p.epoch} epochs`;
          this.setStatus({ state: 'done', epoch: p.epoch, batch: p.batch, images_per_s: 0, worker_tasks: p.workerTasks ?? 0,
                           message: `${how}; the trained model is now the page's model` });
        } else {
          this.hooks.restoreModel();
          const hint = p.state === 'diverged' ? ' Try a lower learning rate.' : '';
          this.setStatus({ state: p.state, images_per_s: 0,
                           message: `${p.message}.${hint} The previous model is back.` });
        }
        if (this.onStarted) this.onStarted();
        if (this.onEnded) this.onEnded();
        break;
      }
      default:
        break;
    }
  }

  // A report's loss-chart points, and a VAE's loss terms at the same steps.
  addPoints(p) {
    for (const point of p.losses || []) this.history.losses.push(point);
    for (const [step, recon, kl] of p.terms || []) this.history.recon.push([step, recon]), this.history.kl.push([step, kl]);
  }

  setStatus(fields) {
    Object.assign(this.statusValue, fields);
    this.hooks.onStatus(this.statusValue, this.extra, this.history || { losses: [], testMse: [], recon: [], kl: [] });
  }
}

TrainController.STATES = TRAIN_STATES;
TrainController.defaultThreads = defaultTrainThreads;
TrainController.threadsSupported = trainThreadsSupported;

// The training worker (see train.js): downloads a data set's gzipped IDX
// files, inflates them here and keeps them as bytes in latentpad_trainer.wasm,
// then trains src/'s model (any architecture the library trains: an
// autoencoder or a VAE, any code width) a few batches at a time, so the page keeps drawing
// and Pause and Stop take effect between batches. It reports progress, loss
// points, the current model and its codes of the first test images.
//
// A run of several threads (message.threads > 1, on a cross-origin isolated
// page) gets the threaded trainer (latentpad_trainer_mt.wasm) and threads - 1
// Web Workers of its own (trainer_threads.js); they are kept for the next run
// of the same thread count and build, and stopped when another is asked for.
import { STATUS, instantiateTrainer } from './trainer_module.js';
import { instantiateThreadedTrainer } from './trainer_threads.js';

const REPORT_MS = 400;     // progress, model and scatter codes, two or three times a second
const SLICE_MS = 40;       // training between two looks at the message queue
const LOSS_EVERY = 25;     // batches per point of the loss chart
const SCATTER_CODES = 1000;

let trainer = null;
let trainerKey = null;     // its build and thread count
let trainerState = { note: null, fellBack: false };  // whether it is the single-thread fallback, and why
let tasksAtStart = 0;      // its worker threads' pool tasks before the run (a threaded trainer)
let loadedSet = null;      // the data set whose files the trainer holds
let control = { paused: false, stop: false, wake: null };
let run = 0;  // the controller's number for the current run, echoed in every message
let losses = [];  // loss-chart points not yet sent: [Adam step, mean loss of the last LOSS_EVERY batches]
let terms = [];   // a VAE's, alongside: [Adam step, mean reconstruction term, mean KL term]
let active = false;  // a run is in train(); a second 'start' is refused

const post = (message, transfer = []) => self.postMessage({ run, ...message }, transfer);

// Yields to the message queue without setTimeout's clamping.
const channel = new MessageChannel();
function yieldNow() {
  return new Promise((resolve) => {
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(0);
  });
}

// Fetches every file at once and inflates it, reporting the bytes received.
async function download(files) {
  const responses = await Promise.all(files.map(async (url) => {
    let response;
    try {
      response = await fetch(url);
    } catch (error) {
      throw new Error(`could not download ${url}: ${error.message}`);
    }
    if (!response.ok) throw new Error(`could not download ${url}: HTTP ${response.status}`);
    return response;
  }));
  const total = responses.reduce((sum, r) => sum + Number(r.headers.get('content-length') || 0), 0);
  let loaded = 0;
  return Promise.all(responses.map(async (response, i) => {
    const chunks = [];
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      loaded += value.byteLength;
      post({ type: 'download', loaded, total });
    }
    try {
      const inflated = new Blob(chunks).stream().pipeThrough(new DecompressionStream('gzip'));
      return new Uint8Array(await new Response(inflated).arrayBuffer());
    } catch (error) {
      throw new Error(`${files[i]} is corrupt or truncated: it does not inflate as gzip`);
    }
  }));
}

// The run's model now: its .lpad file (what latentpad.train.modelBytes()
// saves), its parameters alone (what the page sets into the model it already
// shows, skipping the file's decoding on the main thread), and the scatter's
// codes (n x codeWidth floats, mu for a VAE) and labels. `first` marks the run's first snapshot, which the page
// loads from the file: the architecture may be new.
let snapshotsSent = 0;
let modelCopies = 0;  // copies of the file for the page's decode workers, made here
function snapshot() {
  const model = trainer.modelBytes();
  const copies = Array.from({ length: modelCopies }, () => model.slice());
  const parameters = trainer.parameters();
  const { codes, labels, width } = trainer.testCodes(SCATTER_CODES);
  return { model, parameters, codes, labels, codeWidth: width, copies, first: snapshotsSent++ === 0 };
}
const snapshotTransfers = (s) =>
  [s.model.buffer, s.parameters.buffer, s.codes.buffer, s.labels.buffer, ...s.copies.map((copy) => copy.buffer)];

// The trainer for this run's build and thread count: the one kept from the
// last run, or a new instance (whose threads must start first; it fetches the
// data again). If the threaded build cannot run (no shared memory of its
// size, or threads that do not start), the run trains on one thread of the
// single-thread build (message.fallback), which needs neither; the note says
// why, for this run and the next ones that reuse the trainer.
// Returns { note, fellBack }.
async function trainerFor(message) {
  const threads = message.threads || 1;
  const key = `${message.moduleKey}/${threads}`;
  if (trainer && trainerKey === key) return trainerState;
  if (trainer && trainer.terminate) trainer.terminate();
  trainer = null;
  trainerKey = null;
  loadedSet = null;
  trainerState = { note: null, fellBack: false };
  if (threads > 1) {
    try {
      trainer = await instantiateThreadedTrainer(message.module, threads);
    } catch (error) {
      const note = `not ${threads}: ${error.message}`;
      if (!message.fallback) throw new Error(`${note}, and the single-thread build did not load either`);
      try {
        trainer = await instantiateTrainer(message.fallback.module);
      } catch (fallbackError) {
        throw new Error(`${note}, and the single-thread build failed too: ${fallbackError.message}`);
      }
      trainerState = { note, fellBack: true };
    }
  } else {
    trainer = await instantiateTrainer(message.module);
  }
  trainerKey = key;
  return trainerState;
}

async function train(message) {
  const { config } = message;
  const { note: threadNote, fellBack } = await trainerFor(message);
  tasksAtStart = trainer.workerTasks ? trainer.workerTasks() : 0;
  // The settings are checked (and, for fine-tuning, the loaded model's
  // architecture against them) before any download: start() rejects at once.
  try {
    trainer.setStartModel(message.startModel || null);
    trainer.configure(config);
  } catch (error) {
    return { state: 'failed', refused: true, message: `cannot start: ${error.message}` };
  }
  if (loadedSet !== message.dataset) {
    loadedSet = null;
    const parts = await download(message.files);
    parts.forEach((bytes, part) => {
      try {
        trainer.setData(part, bytes);
      } catch (error) {
        throw new Error(`${message.files[part]}: ${error.message}`);
      }
    });
    loadedSet = message.dataset;
  }
  if (control.stop) return { state: 'done', stopped: true, beforeFirstStep: true };
  const meta = { ...(message.meta || {}), ...(fellBack ? message.fallback.meta : {}) };
  for (const [key, value] of Object.entries(meta)) trainer.setMeta(key, value);
  trainer.start(config);
  post({ type: 'started', ...trainer.progress(), ...(threadNote ? { threadNote } : {}) });

  losses = [];
  terms = [];
  let lossSum = 0, lossCount = 0, reconSum = 0, klSum = 0;
  let lastReport = performance.now(), imagesSinceReport = 0;
  const report = (extra = {}) => {
    const now = performance.now();
    const s = snapshot();
    post({ type: 'progress', ...trainer.progress(), imagesPerSecond: (imagesSinceReport * 1000) / (now - lastReport),
           losses: losses.splice(0), terms: terms.splice(0), ...s, ...extra }, snapshotTransfers(s));
    lastReport = now;
    imagesSinceReport = 0;
  };
  for (;;) {
    if (control.stop) return { state: 'done', stopped: true };
    if (control.paused) {
      report({ paused: true });
      await new Promise((resume) => { control.wake = resume; });
      lastReport = performance.now();
      imagesSinceReport = 0;
      continue;
    }
    const start = performance.now();
    let status = STATUS.running;
    while (status === STATUS.running && performance.now() - start < SLICE_MS) {
      status = trainer.steps(1);
      const p = trainer.progress();
      if (status === STATUS.diverged || status === STATUS.failed) break;
      imagesSinceReport += Math.min(config.batch, p.images);
      lossSum += p.loss;
      if (p.vae) reconSum += p.recon, klSum += p.kl;
      if (++lossCount === LOSS_EVERY) {
        losses.push([p.step, lossSum / lossCount]);
        if (p.vae) terms.push([p.step, reconSum / lossCount, klSum / lossCount]);
        lossSum = lossCount = reconSum = klSum = 0;
      }
    }
    if (status === STATUS.diverged) return { state: 'diverged', message: trainer.lastError() };
    if (status === STATUS.failed) return { state: 'failed', message: trainer.lastError() };
    if (status === STATUS.epochDone || status === STATUS.finished) {
      const p = trainer.progress();
      post({ type: 'epoch', epoch: p.epoch, trainLoss: p.trainLoss, trainRecon: p.trainRecon, trainKl: p.trainKl,
             testMse: p.testMse, losses: losses.splice(0), terms: terms.splice(0) });
    }
    if (status === STATUS.finished) return { state: 'done' };
    if (performance.now() - lastReport >= REPORT_MS) report();
    await yieldNow();
  }
}

self.onmessage = async ({ data }) => {
  switch (data.type) {
    case 'start':
      if (active) {
        self.postMessage({ run: data.run, type: 'end', state: 'failed', message: 'a run is already training in this worker' });
        break;
      }
      active = true;
      run = data.run;
      snapshotsSent = 0;
      modelCopies = Math.max(0, Math.min(8, data.copies | 0));
      control = { paused: false, stop: false, wake: null };
      try {
        const end = await train(data);
        const s = end.state === 'diverged' || end.beforeFirstStep || end.refused ? {} : snapshot();
        const workerTasks = trainer.workerTasks ? trainer.workerTasks() - tasksAtStart : 0;
        post({ type: 'end', ...end, ...trainer.progress(), ...s, workerTasks }, s.model ? snapshotTransfers(s) : []);
      } catch (error) {
        post({ type: 'end', state: 'failed', message: String(error.message || error) });
      } finally {
        active = false;
      }
      break;
    case 'pause':
      control.paused = true;
      break;
    case 'resume':
      control.paused = false;
      if (control.wake) control.wake(), (control.wake = null);
      break;
    case 'stop':
      control.stop = true;
      control.paused = false;
      if (control.wake) control.wake(), (control.wake = null);
      break;
    default:
      post({ type: 'end', state: 'failed', message: `unknown message ${data.type}` });
  }
};

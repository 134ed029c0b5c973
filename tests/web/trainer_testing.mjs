// What the Node tests of the wasm trainer share (trainer_parity.mjs,
// trainer_threads.mjs): a pass/fail tally, the MNIST files in the trainer's
// part order, a reader of an .lpad file's parameters, and the native CLI.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// check(ok, message) prints one line per check; finish() prints the tally
// and exits non-zero if any check failed.
export function checker(name) {
  let passed = 0, failed = 0;
  return {
    check(ok, message) {
      console.log(`${ok ? 'ok  ' : 'FAIL'} ${message}`);
      ok ? passed++ : failed++;
    },
    finish() {
      console.log(`${name}: ${passed} passed, ${failed} failed`);
      process.exit(failed === 0 ? 0 : 1);
    },
  };
}

// The four MNIST files' bytes, in the order of trainer_module.js's PART.
export function mnistParts(dataDir) {
  return ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']
    .map((file) => readFileSync(join(dataDir, file)));
}

// Every float32 parameter of an .lpad file (src/formats/model_file.h: a
// 20-byte header, then sections of tag, u32 reserved, u64 length, payload).
export function lpadParameters(file) {
  const bytes = new Uint8Array(file);  // a copy: Node's Buffer.slice would share its pool
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sections = view.getUint32(16, true);
  let offset = 20;
  for (let i = 0; i < sections; i++) {
    const tag = new TextDecoder().decode(bytes.subarray(offset, offset + 4));
    const length = Number(view.getBigUint64(offset + 8, true));
    if (tag === 'PARM') return new Float32Array(bytes.slice(offset + 16, offset + 16 + length).buffer);
    offset += 16 + length;
  }
  throw new Error('no PARM section');
}

// The native CLI's standard output (its progress on stderr is not shown).
export const runNative = (latentpad, args) =>
  execFileSync(latentpad, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

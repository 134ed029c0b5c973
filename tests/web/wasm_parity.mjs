// The wasm build of the model library against the native build: the same
// model file must encode test images and decode codes (inside and far outside
// [-1,1]^2, as the tutorial tries) to within 1e-5.
//
// usage: node wasm_parity.mjs LATENTPAD_NODE_JS LATENTPAD_BINARY WEIGHTS DATA_DIR
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const [moduleJs, latentpad, weights, dataDir] = process.argv.slice(2);
if (!dataDir) {
  console.error('usage: node wasm_parity.mjs LATENTPAD_NODE_JS LATENTPAD_BINARY WEIGHTS DATA_DIR');
  process.exit(2);
}
const TOLERANCE = 1e-5;
const IMAGES = 32;
const CODES = [[0, 0], [0.5, -0.3], [-0.99, 0.98], [0.123, 0.456], [-1.5, -1.5], [1.5, 1.5], [10, 10], [-100, 100]];

const wasm = createRequire(import.meta.url)(moduleJs)();
function copyIn(array) {
  const pointer = wasm._malloc(array.byteLength);
  wasm.HEAPU8.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), pointer);
  return pointer;
}
const weightBytes = readFileSync(weights);
if (!wasm._lpn_load(copyIn(weightBytes), weightBytes.length)) {
  console.error(`wasm could not load ${weights}: ${wasm.UTF8ToString(wasm._lpn_error())}`);
  process.exit(1);
}
console.log(`wasm kernel: ${wasm.UTF8ToString(wasm._lpn_kernel())}`);

let passed = 0, failed = 0;
function check(name, expected, actual) {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
  const ok = expected.length === actual.length && worst <= TOLERANCE;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}: max abs diff ${worst.toExponential(2)} over ${expected.length} values`);
  ok ? passed++ : failed++;
}

// Encoding: the first test images, read from the IDX file (16-byte header).
const idx = readFileSync(`${dataDir}/t10k-images-idx3-ubyte`);
const images = new Float32Array(IMAGES * 784);
for (let i = 0; i < images.length; i++) images[i] = idx[16 + i] / 255;
const codesOut = wasm._malloc(IMAGES * 2 * 4);
wasm._lpn_encode(copyIn(images), IMAGES, codesOut);
const wasmCodes = wasm.HEAPF32.slice(codesOut >> 2, (codesOut >> 2) + IMAGES * 2);
const csv = execFileSync(latentpad, ['encode', '--weights', weights, '--data', dataDir, '--count', String(IMAGES)],
                         { encoding: 'utf8' });
const nativeCodes = csv.trim().split('\n').slice(1).flatMap((line) => line.split(',').slice(2).map(Number));
check(`encode ${IMAGES} test images`, nativeCodes, wasmCodes);

// Decoding, one code at a time against `latentpad decode`.
const pixelsOut = wasm._malloc(784 * 4);
for (const [x, y] of CODES) {
  wasm._lpn_decode(copyIn(new Float32Array([x, y])), 1, pixelsOut);
  const wasmPixels = wasm.HEAPF32.slice(pixelsOut >> 2, (pixelsOut >> 2) + 784);
  const text = execFileSync(latentpad, ['decode', '--weights', weights, `--z=${x},${y}`], { encoding: 'utf8' });
  const nativePixels = text.trim().split(/\s+/).map(Number);
  check(`decode (${x}, ${y})`, nativePixels, wasmPixels);
}

console.log(`wasm parity: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

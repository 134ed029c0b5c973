// The wasm build of the model library against the native build: the same
// model file must encode test images and decode codes (inside and far outside
// [-1,1]^2, as the tutorial tries) to within 1e-5.
//
// usage: node wasm_parity.mjs LATENTPAD_MODEL_WASM LATENTPAD_BINARY WEIGHTS DATA_DIR
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { instantiateModel } from '../../web/page/model_module.js';

const [moduleWasm, latentpad, weights, dataDir] = process.argv.slice(2);
if (!dataDir) {
  console.error('usage: node wasm_parity.mjs LATENTPAD_MODEL_WASM LATENTPAD_BINARY WEIGHTS DATA_DIR');
  process.exit(2);
}
const TOLERANCE = 1e-5;
const IMAGES = 32;
const CODES = [[0, 0], [0.5, -0.3], [-0.99, 0.98], [0.123, 0.456], [-1.5, -1.5], [1.5, 1.5], [10, 10], [-100, 100]];

const wasm = await instantiateModel(readFileSync(moduleWasm));
const loadError = wasm.load(readFileSync(weights));
if (loadError) {
  console.error(`wasm could not load ${weights}: ${loadError}`);
  process.exit(1);
}
console.log(`wasm kernel: ${wasm.kernel()}`);

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
const wasmCodes = wasm.encode(images);
const csv = execFileSync(latentpad, ['encode', '--weights', weights, '--data', dataDir, '--count', String(IMAGES)],
                         { encoding: 'utf8' });
const nativeCodes = csv.trim().split('\n').slice(1).flatMap((line) => line.split(',').slice(2).map(Number));
check(`encode ${IMAGES} test images`, nativeCodes, wasmCodes);

// Decoding, one code at a time against `latentpad decode`.
const nativeAll = [];
for (const [x, y] of CODES) {
  const wasmPixels = wasm.decode(new Float32Array([x, y]));
  const text = execFileSync(latentpad, ['decode', '--weights', weights, `--z=${x},${y}`], { encoding: 'utf8' });
  const nativePixels = text.trim().split(/\s+/).map(Number);
  check(`decode (${x}, ${y})`, nativePixels, wasmPixels);
  nativeAll.push(...nativePixels);
}
// All the codes in one batch: the SIMD kernel's 4-sample tiles, which the page's
// decode workers use for the manifold, must agree with one-at-a-time decoding.
check(`decode ${CODES.length} codes in one batch`, nativeAll, wasm.decode(new Float32Array(CODES.flat())));

// A truncated file is refused with a reason, and the loaded model stays.
const refused = wasm.load(readFileSync(weights).subarray(0, 100));
const kept = /truncated/.test(refused || '');
console.log(`${kept ? 'ok  ' : 'FAIL'} a truncated model file is refused: ${refused}`);
kept ? passed++ : failed++;
check('the previous model still decodes', nativeAll.slice(0, 784), wasm.decode(new Float32Array(CODES[0])));

console.log(`wasm parity: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

// The wasm build of the model library against the native build: the same
// model file must encode test images and decode codes (inside and far outside
// [-1,1]^2, as the tutorial tries) to within 1e-5.
//
// usage: node wasm_parity.mjs LATENTPAD_MODEL_WASM LATENTPAD_BINARY WEIGHTS DATA_DIR [KERNEL]
// KERNEL: the dense kernel the module must report (simd128, relaxed-simd).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { instantiateModel } from '../../web/page/model_module.js';

const [moduleWasm, latentpad, weights, dataDir, expectedKernel] = process.argv.slice(2);
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
if (expectedKernel && wasm.kernel() !== expectedKernel) {
  console.error(`${moduleWasm} runs the ${wasm.kernel()} kernel, expected ${expectedKernel}`);
  process.exit(1);
}

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
// Three times over (24 codes): from 16 on, the SIMD kernel reads the packed
// copy of the weights kept with the model.
check(`decode ${3 * CODES.length} codes in one batch (the packed weights)`, [...nativeAll, ...nativeAll, ...nativeAll],
      wasm.decode(new Float32Array([...CODES, ...CODES, ...CODES].flat())));

// A truncated file is refused with a reason, and the loaded model stays.
const refused = wasm.load(readFileSync(weights).subarray(0, 100));
const kept = /truncated/.test(refused || '');
console.log(`${kept ? 'ok  ' : 'FAIL'} a truncated model file is refused: ${refused}`);
kept ? passed++ : failed++;
check('the previous model still decodes', nativeAll.slice(0, 784), wasm.decode(new Float32Array(CODES[0])));

// One-half model files (the format's encoder and decoder kinds): the half a
// file lacks is refused by name, never run. The files are written here, in
// the layout of src/formats/model_file.h, with one 784 -> 2 layer.
function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}
function halfModelFile(kind, sizes, act) {
  const u32 = (values) => new Uint8Array(new Uint32Array(values).buffer);
  const section = (tag, payload) => [new TextEncoder().encode(tag), u32([0, payload.length, 0]), payload];
  const params = new Float32Array(sizes[0] * sizes[1] + sizes[1]).map((_, i) => Math.sin(i) * 0.05);
  const parts = [new TextEncoder().encode('LPADMDL\n'), u32([1, kind, 3]),
                 ...section('ARCH', u32([1, 1, sizes[0], sizes[1], act])),
                 ...section('PARM', new Uint8Array(params.buffer)), ...section('META', u32([0]))];
  const body = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((offset, p) => (body.set(p, offset), offset + p.length), 0);
  const file = new Uint8Array(body.length + 4);
  file.set(body);
  file.set(u32([crc32(body)]), body.length);
  return file;
}
function expectRefusal(name, fn, pattern) {
  let message = 'no error';
  try { fn(); } catch (error) { message = error.message; }
  const ok = pattern.test(message);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}: ${message}`);
  ok ? passed++ : failed++;
}
const ENCODER = 2, DECODER = 3, TANH = 1, SIGMOID = 2;
const encoderOnly = wasm.load(halfModelFile(ENCODER, [784, 2], TANH));
console.log(`${encoderOnly === null ? 'ok  ' : 'FAIL'} an encoder-only file loads: ${encoderOnly}`);
encoderOnly === null ? passed++ : failed++;
const halfCodes = wasm.encode(images);
const inRange = halfCodes.length === 2 * IMAGES && halfCodes.every((v) => Math.abs(v) <= 1);
console.log(`${inRange ? 'ok  ' : 'FAIL'} the encoder-only file encodes ${halfCodes.length / 2} images`);
inRange ? passed++ : failed++;
expectRefusal('an encoder-only file refuses to decode', () => wasm.decode(new Float32Array([0, 0])), /has no decoder/);
const decoderOnly = wasm.load(halfModelFile(DECODER, [2, 784], SIGMOID));
console.log(`${decoderOnly === null ? 'ok  ' : 'FAIL'} a decoder-only file loads: ${decoderOnly}`);
decoderOnly === null ? passed++ : failed++;
const halfPixels = wasm.decode(new Float32Array([0.3, -0.2]));
const pixelsOk = halfPixels.length === 784 && halfPixels.every((v) => v > 0 && v < 1);
console.log(`${pixelsOk ? 'ok  ' : 'FAIL'} the decoder-only file decodes a code`);
pixelsOk ? passed++ : failed++;
expectRefusal('a decoder-only file refuses to encode', () => wasm.encode(images), /has no encoder/);

console.log(`wasm parity: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

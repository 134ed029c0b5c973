// The ONNX export in ONNX Runtime (npm onnxruntime-node, CPU) against the
// CLI: `export --format onnx` files of one model (whole, --part encoder,
// --part decoder) must encode images as `latentpad encode` does, decode codes
// as `latentpad decode` does, and reconstruct as decode(encode(x)), to 1e-5.
// Batches of several rows and of one row both run (the batch dimension is
// dynamic).
//
// usage: node onnx_check.mjs LATENTPAD WEIGHTS DIR DATA_DIR
//   DIR holds model.onnx, encoder.onnx and decoder.onnx exported from WEIGHTS;
//   DATA_DIR holds t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte.
// Prints one line per check; exits 1 if any fails.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// onnxruntime-node is CommonJS, installed in tools/node_modules (tools/package.json).
const require = createRequire(new URL('../../tools/package.json', import.meta.url));
const ort = require('onnxruntime-node');

const [latentpad, weights, dir, dataDir] = process.argv.slice(2);
if (!dataDir) {
  console.error('usage: node onnx_check.mjs LATENTPAD WEIGHTS DIR DATA_DIR');
  process.exit(2);
}
const TOLERANCE = 1e-5;
const IMAGES = 6;
const PIXELS = 784;

let passed = 0, failed = 0;
function check(name, expected, actual) {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(expected[i] - actual[i]);
    worst = Number.isNaN(d) ? Infinity : Math.max(worst, d);
  }
  const ok = expected.length > 0 && expected.length === actual.length && worst <= TOLERANCE;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}: max abs diff ${worst.toExponential(2)} over ${expected.length} values` +
              (expected.length === actual.length ? '' : ` (expected ${expected.length}, got ${actual.length})`));
  ok ? passed++ : failed++;
}
const cli = (...args) => execFileSync(latentpad, args, { encoding: 'utf8' });

// `latentpad encode --logvar` (a VAE) or `encode` (an autoencoder) of the first
// IMAGES test images: rows "index,label,z0,...[,logvar0,...]".
const info = cli('info', '--weights', weights);
const vae = /variational/.test(info);
const csv = cli('encode', '--weights', weights, '--data', dataDir, '--count', String(IMAGES), ...(vae ? ['--logvar'] : []))
  .trim().split('\n');
const header = csv[0].split(',');
const latent = header.filter((h) => /^z\d+$/.test(h)).length;
const rows = csv.slice(1).map((line) => line.split(',').slice(2).map(Number));
const cliCodes = rows.map((r) => r.slice(0, latent));
const cliLogvar = rows.map((r) => r.slice(latent, 2 * latent));
console.log(`${weights}: ${vae ? 'VAE' : 'autoencoder'}, latent ${latent}`);

// The same images as float32 x / 255, as the library reads them (16-byte IDX header).
const idx = readFileSync(`${dataDir}/t10k-images-idx3-ubyte`);
const images = new Float32Array(IMAGES * PIXELS);
for (let i = 0; i < images.length; i++) images[i] = idx[16 + i] / 255;

// `latentpad decode --z` of one code: 784 numbers printed with 6 decimals.
const cliDecode = (code) => cli('decode', '--weights', weights, '--z', code.join(',')).trim().split(/\s+/).map(Number);
const session = (name) => ort.InferenceSession.create(`${dir}/${name}.onnx`);

// The encoder: every image in one batch, then the first image alone.
const encoder = await session('encoder');
const encIn = new ort.Tensor('float32', images, [IMAGES, PIXELS]);
const enc = await encoder.run({ x: encIn });
const codeName = vae ? 'mu' : 'code';
check(`encoder.onnx ${codeName}, batch ${IMAGES}, vs latentpad encode`, cliCodes.flat(), Array.from(enc[codeName].data));
if (vae) check(`encoder.onnx logvar, batch ${IMAGES}, vs latentpad encode --logvar`, cliLogvar.flat(), Array.from(enc.logvar.data));
const one = await encoder.run({ x: new ort.Tensor('float32', images.subarray(0, PIXELS), [1, PIXELS]) });
check(`encoder.onnx ${codeName}, batch 1`, cliCodes[0], Array.from(one[codeName].data));

// The decoder: codes near the data and far from it, in one batch.
const codes = [0.3, -0.4, 0, 1.5, -2].map((v, k) => Array.from({ length: latent }, (_, d) => v * (d % 2 ? -1 : 1) + 0.1 * k));
const decoder = await session('decoder');
const dec = await decoder.run({ code: new ort.Tensor('float32', Float32Array.from(codes.flat()), [codes.length, latent]) });
check(`decoder.onnx image, batch ${codes.length}, vs latentpad decode`, codes.map(cliDecode).flat(), Array.from(dec.image.data));

// The whole model: the reconstruction is the decoding of the (mean) code.
const whole = await session('model');
const out = await whole.run({ x: encIn });
check(`model.onnx reconstruction, batch ${IMAGES}, vs latentpad decode of latentpad encode`,
      cliCodes.map(cliDecode).flat(), Array.from(out.reconstruction.data));
if (vae) {
  check('model.onnx mu vs latentpad encode', cliCodes.flat(), Array.from(out.mu.data));
  check('model.onnx logvar vs latentpad encode --logvar', cliLogvar.flat(), Array.from(out.logvar.data));
}
const outputs = whole.outputNames.join(',');
const expectedOutputs = vae ? 'mu,logvar,reconstruction' : 'reconstruction';
outputs === expectedOutputs ? passed++ : (failed++, console.log(`FAIL model.onnx outputs ${outputs}, expected ${expectedOutputs}`));

console.log(`onnx_check: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

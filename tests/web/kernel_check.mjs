// Runs a kernel-check module (tests/kernels/dense_kernel_check.cpp, e.g.
// latentpad_kernel_check_relaxed.wasm): the dense kernels it was linked with
// against the scalar references. Prints the report; exits 1 if a check failed.
// Node 20 runs relaxed SIMD only with --experimental-wasm-relaxed-simd.
//
// usage: node --experimental-wasm-relaxed-simd kernel_check.mjs KERNEL_CHECK_WASM
import { readFileSync } from 'node:fs';
import { instantiateStandalone } from '../../web/page/standalone_wasm.js';

const [moduleWasm] = process.argv.slice(2);
if (!moduleWasm) {
  console.error('usage: node --experimental-wasm-relaxed-simd kernel_check.mjs KERNEL_CHECK_WASM');
  process.exit(2);
}
const { wasm, string } = await instantiateStandalone(readFileSync(moduleWasm), 'the kernel check');
const failures = wasm.lpk_run();
process.stdout.write(string(wasm.lpk_report()));
console.log(failures ? `${failures} check(s) FAILED` : 'all checks passed');
process.exit(failures ? 1 : 0);

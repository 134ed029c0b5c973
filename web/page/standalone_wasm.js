// What the page's plain wasm modules (latentpad_model.wasm and
// latentpad_trainer.wasm, built with STANDALONE_WASM and no Emscripten glue)
// share: their imports, instantiation, and reading a C string.

// Their only imports: memory growth needs no action here, because every view
// of memory is made after the call that could have grown it; a clock, for
// std::chrono (src/base/thread_pool.cpp's spin-wait), as WASI's
// clock_time_get: nanoseconds as a u64 at timePointer, from
// performance.now() whatever the clock asked for (only intervals matter).
// A threaded module (latentpad_trainer_mt.wasm) imports its shared memory as
// env.memory: sharedMemory, the one WebAssembly.Memory of all its instances.
export function imports(name, memory, sharedMemory = null) {
  return {
    env: { emscripten_notify_memory_growth() {}, ...(sharedMemory ? { memory: sharedMemory } : {}) },
    wasi_snapshot_preview1: {
      proc_exit(code) { throw new Error(`${name} stopped (exit ${code})`); },
      clock_time_get(clockId, precision, timePointer) {
        new DataView(memory().buffer).setBigUint64(timePointer, BigInt(Math.round(performance.now() * 1e6)), true);
        return 0;
      },
    },
  };
}

// source: the module's bytes or a compiled WebAssembly.Module. Resolves to
//   wasm                      its exports
//   string(pointer)           the C string at pointer
//   withCopy(bytes, body)     body(pointer) with bytes copied into wasm memory for the call
//   withString(text, body)    the same for a NUL-terminated string
//   bytesOut(call)            call(sizePointer) returns a pointer to that many bytes, or 0:
//                             a copy of them, or null
//
// sharedMemory: for a threaded module, the shared WebAssembly.Memory it
// imports (then wasm.memory is that memory). Views of a shared memory are
// copied (slice) before TextDecoder, which refuses shared buffers.
export async function instantiateStandalone(source, name, sharedMemory = null) {
  let wasm = null;
  const result = await WebAssembly.instantiate(source, imports(name, () => wasm.memory, sharedMemory));
  const exports = (result.instance || result).exports;
  wasm = sharedMemory ? { ...exports, memory: sharedMemory } : exports;
  wasm._initialize();
  const string = (pointer) => {
    const bytes = new Uint8Array(wasm.memory.buffer, pointer);
    return new TextDecoder().decode(bytes.slice(0, bytes.indexOf(0)));
  };
  function withCopy(bytes, body) {
    const pointer = wasm.malloc(Math.max(bytes.byteLength, 1));
    if (!pointer) throw new Error(`${name} is out of memory`);
    try {
      new Uint8Array(wasm.memory.buffer).set(bytes, pointer);
      return body(pointer);
    } finally {
      wasm.free(pointer);
    }
  }
  const withString = (text, body) => withCopy(new TextEncoder().encode(`${text}\0`), body);
  function bytesOut(call) {
    const sizePointer = wasm.malloc(4);
    try {
      const pointer = call(sizePointer);
      if (!pointer) return null;
      const size = new Int32Array(wasm.memory.buffer, sizePointer, 1)[0];
      return new Uint8Array(wasm.memory.buffer, pointer, size).slice();
    } finally {
      wasm.free(sizePointer);
    }
  }
  return { wasm, string, withCopy, withString, bytesOut };
}

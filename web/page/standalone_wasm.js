// What the page's plain wasm modules (latentpad_model.wasm and
// latentpad_trainer.wasm, built with STANDALONE_WASM and no Emscripten glue)
// share: their imports, instantiation, and reading a C string.

// Their only imports: memory growth needs no action here, because every view
// of memory is made after the call that could have grown it.
function imports(name) {
  return {
    env: { emscripten_notify_memory_growth() {} },
    wasi_snapshot_preview1: {
      proc_exit(code) { throw new Error(`${name} stopped (exit ${code})`); },
    },
  };
}

// source: the module's bytes or a compiled WebAssembly.Module. Resolves to
// { wasm: its exports, string(pointer): the C string at pointer }.
export async function instantiateStandalone(source, name) {
  const result = await WebAssembly.instantiate(source, imports(name));
  const wasm = (result.instance || result).exports;
  wasm._initialize();
  const string = (pointer) => {
    const bytes = new Uint8Array(wasm.memory.buffer, pointer);
    return new TextDecoder().decode(bytes.subarray(0, bytes.indexOf(0)));
  };
  return { wasm, string };
}

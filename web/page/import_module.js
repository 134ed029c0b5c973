// JavaScript side of latentpad_import.wasm (web/import_module.cpp): the
// reader of PyTorch .pth (torch.save) and .safetensors files that
// `latentpad import` uses, compiled to wasm. It runs nothing from the file.
//
//   const importer = await instantiateImporter(bytesOrCompiledModule);
//   const lpad = importer.run([{ name: 'model.pth', bytes }]);   // throws Error(refusal)

import { instantiateStandalone } from './standalone_wasm.js';

// The reader's refusal of a file. Any other error (the module aborting when
// out of memory) leaves the instance unusable.
export class ImportRefusal extends Error {}

export async function instantiateImporter(source) {
  const { wasm, string } = await instantiateStandalone(source, 'latentpad_import.wasm');
  function withCopy(bytes, body) {
    const pointer = wasm.malloc(Math.max(bytes.byteLength, 1));
    if (!pointer) throw new Error('latentpad_import.wasm is out of memory');
    try {
      new Uint8Array(wasm.memory.buffer).set(bytes, pointer);
      return body(pointer);
    } finally {
      wasm.free(pointer);
    }
  }
  return {
    // files: [{ name, bytes: Uint8Array }], one file or an encoder and a
    // decoder. Returns the bytes of an .lpad file; throws an ImportRefusal.
    run(files) {
      wasm.lpi_reset();
      for (const { name, bytes } of files) {
        const added = withCopy(new TextEncoder().encode(`${name}\0`), (namePointer) =>
          withCopy(bytes, (pointer) => wasm.lpi_add(namePointer, pointer, bytes.byteLength)));
        if (!added) throw new ImportRefusal(string(wasm.lpi_error()));
      }
      const sizePointer = wasm.malloc(4);
      try {
        const pointer = wasm.lpi_run(sizePointer);
        if (!pointer) throw new ImportRefusal(string(wasm.lpi_error()));
        const size = new Int32Array(wasm.memory.buffer, sizePointer, 1)[0];
        return new Uint8Array(wasm.memory.buffer, pointer, size).slice();
      } finally {
        wasm.free(sizePointer);
        wasm.lpi_reset();
      }
    },
  };
}

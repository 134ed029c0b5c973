// JavaScript side of latentpad_import.wasm (web/modules/import_module.cpp): the
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
  const { wasm, string, withCopy, withString, bytesOut } =
    await instantiateStandalone(source, 'latentpad_import.wasm');
  return {
    // files: [{ name, bytes: Uint8Array }], one file or an encoder and a
    // decoder. Returns the bytes of an .lpad file; throws an ImportRefusal.
    run(files) {
      wasm.lpi_reset();
      for (const { name, bytes } of files) {
        const added = withString(name, (namePointer) =>
          withCopy(bytes, (pointer) => wasm.lpi_add(namePointer, pointer, bytes.byteLength)));
        if (!added) throw new ImportRefusal(string(wasm.lpi_error()));
      }
      try {
        const lpad = bytesOut((sizePointer) => wasm.lpi_run(sizePointer));
        if (!lpad) throw new ImportRefusal(string(wasm.lpi_error()));
        return lpad;
      } finally {
        wasm.lpi_reset();
      }
    },
  };
}

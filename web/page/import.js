'use strict';
// Turns PyTorch model files into LatentPad's .lpad in the page: .pth files
// from torch.save (a whole model, or an encoder and a decoder saved apart) and
// .safetensors. The reader is latentpad_import.wasm (web/modules/import_module.cpp,
// the same C++ as `latentpad import`), fetched the first time it is needed so
// the page's first load does not carry it. Nothing in a file is ever run.
class ModelImporter {
  constructor() {
    this.instance = null;  // a promise of import_module.js's importer
  }

  // True for the bytes of an .lpad file, which need no import.
  static isLpad(bytes) {
    const magic = 'LPADMDL\n';
    return bytes.length >= magic.length && [...magic].every((c, i) => bytes[i] === c.charCodeAt(0));
  }

  // files: [{ name, bytes }]. Resolves to the .lpad bytes; rejects with the
  // reader's refusal, e.g. "refusing mode.pth: it asks to call posix.system;
  // a model file never needs that".
  async run(files) {
    if (!this.instance) {
      this.instance = Promise.all([
        import('./import_module.js'),
        fetch('latentpad_import.wasm').then((response) => {
          if (!response.ok) throw new Error(`HTTP ${response.status}`);
          return response.arrayBuffer();
        }),
      ]).then(async ([module, bytes]) => ({ importer: await module.instantiateImporter(bytes),
                                             ImportRefusal: module.ImportRefusal }));
    }
    let importer, ImportRefusal;
    try {
      ({ importer, ImportRefusal } = await this.instance);
    } catch (error) {
      this.instance = null;  // try again next time
      throw new Error(`could not load latentpad_import.wasm: ${error.message}`);
    }
    try {
      return importer.run(files);
    } catch (error) {
      if (error instanceof ImportRefusal) throw error;
      // The module stopped (it aborts when out of memory): its memory is
      // lost, so the next file gets a fresh instance.
      this.instance = null;
      throw new Error(`could not import ${files.map((f) => f.name).join(' + ')}: the importer stopped ` +
                      `(${error.message}); the file may be too large for the browser`);
    }
  }
}

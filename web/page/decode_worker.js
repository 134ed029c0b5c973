// A decode worker (see decode_pool.js): its own instance of the model module,
// so large batches such as the 32x32 manifold run off the page's main thread,
// in parallel with the other workers. Messages are handled strictly in order,
// so a decode sent after a model change always uses the new model.
import { instantiateModel } from './model_module.js';

let model = null;
let images = new Float32Array(0);  // this worker's share of the test images, for 'errors'
let queue = Promise.resolve();

async function handle(message) {
  switch (message.type) {
    case 'init':  // message.module: the compiled latentpad_model.wasm
      model = await instantiateModel(message.module);
      return { kernel: model.kernel() };
    case 'model': {
      const error = model.load(message.bytes);
      if (error) throw new Error(`the decode worker refused the model: ${error}`);
      return {};
    }
    case 'decode':
      return { images: model.decode(message.codes) };
    case 'encode':  // message.codes holds images here; the reply's `images`, their codes
      return { images: model.encode(message.codes) };
    case 'images':  // message.codes holds images to keep
      images = message.codes;
      return {};
    case 'errors':  // the kept images' reconstruction errors (in the reply's `images`)
      return { images: images.length ? model.errors(images) : new Float32Array(0) };
    default:
      throw new Error(`unknown message ${message.type}`);
  }
}

self.onmessage = ({ data }) => {
  queue = queue.then(() => handle(data)).then(
    (reply) => self.postMessage({ id: data.id, ...reply }, reply.images ? [reply.images.buffer] : []),
    (error) => self.postMessage({ id: data.id, error: String(error.message || error) }));
};

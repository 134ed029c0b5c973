// A static file server for the demo site: `node tools/lib/serve.mjs DIR [PORT] [HOST]`.
// Serves files only (no directory listings, nothing outside DIR), with the
// MIME types browsers insist on (application/wasm for streaming compilation).
// Used by tools/demo and by the browser tests; prints "serving URL" when ready
// and stops cleanly on Ctrl-C.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',  // ONNX Runtime Web's loader (tools/bench/web_decode_bench.mjs)
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.json': 'application/json',
};

export function startServer(root, port = 8000, host = '127.0.0.1') {
  const base = resolve(root);
  const server = createServer(async (request, response) => {
    try {
      const path = decodeURIComponent(new URL(request.url, 'http://x').pathname);
      let file = normalize(join(base, path));
      if (file !== base && !file.startsWith(base + sep)) throw Object.assign(new Error('outside'), { code: 'ENOENT' });
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      response.writeHead(200, {
        'Content-Type': TYPES[extname(file)] || 'application/octet-stream',
        'Cache-Control': 'no-cache',
      });
      response.end(request.method === 'HEAD' ? undefined : body);
    } catch (error) {
      const missing = error.code === 'ENOENT' || error.code === 'EISDIR' || error instanceof URIError;
      response.writeHead(missing ? 404 : 500, { 'Content-Type': 'text/plain' });
      response.end(missing ? 'not found\n' : 'server error\n');
    }
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolvePromise(server));
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [root, port = '8000', host = '127.0.0.1'] = process.argv.slice(2);
  if (!root) {
    console.error('usage: node serve.mjs DIR [PORT] [HOST]');
    process.exit(2);
  }
  try {
    const server = await startServer(root, Number(port), host);
    const { port: actual } = server.address();
    console.log(`serving http://${host}:${actual}/  (Ctrl-C to stop)`);
    const stop = () => server.close(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  } catch (error) {
    console.error(`serve: cannot listen on ${host}:${port}: ${error.message}`);
    process.exit(1);
  }
}

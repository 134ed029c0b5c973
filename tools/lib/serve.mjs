// A static file server for the demo site: `node tools/lib/serve.mjs DIR [PORT] [HOST]`.
// Serves files only (no directory listings, nothing outside DIR), with the
// MIME types browsers insist on (application/wasm for streaming compilation).
// Used by tools/demo and by the browser tests; prints "serving URL" when ready
// and stops cleanly on Ctrl-C.
//
// Cross-origin isolated by default: every response says
// Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy:
// require-corp, so the page gets SharedArrayBuffer and trains on several
// threads (page/train.js). Everything the page loads is from this origin, which
// require-corp admits. `isolated: false` (or --no-isolation) serves the site as
// a plain static host would: the page then trains on one thread.
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

export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export function startServer(root, port = 8000, host = '127.0.0.1', { isolated = true } = {}) {
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
        ...(isolated ? ISOLATION_HEADERS : {}),
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
  const args = process.argv.slice(2);
  const isolated = !args.includes('--no-isolation');
  const [root, port = '8000', host = '127.0.0.1'] = args.filter((a) => a !== '--no-isolation');
  if (!root) {
    console.error('usage: node serve.mjs DIR [PORT] [HOST] [--no-isolation]');
    process.exit(2);
  }
  try {
    const server = await startServer(root, Number(port), host, { isolated });
    const { port: actual } = server.address();
    console.log(`serving http://${host}:${actual}/  (${isolated ? 'cross-origin isolated' : 'not isolated'}; Ctrl-C to stop)`);
    const stop = () => server.close(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  } catch (error) {
    console.error(`serve: cannot listen on ${host}:${port}: ${error.message}`);
    process.exit(1);
  }
}

// Run with: make wasm && node examples/web/serve.mjs   (then open the printed URL)
//
// A tiny static server for this example: serves the repository's examples/web/ and the
// built package sdk-wasm/pkg/ from 127.0.0.1, with the MIME types browsers insist on for
// modules and wasm. The browser test (tests/browser/) starts it on port 0, and the runtime
// matrix (tests/node/runtimes.test.mjs) with its page's folder served too.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const exampleFolders = ['/examples/web/', '/sdk-wasm/pkg/'];
const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.css': 'text/css; charset=utf-8',
};

/**
 * Starts the server on `served` (folders of the repository); resolves to `{ url, origin,
 * close() }`, `url` being the example page's.
 */
export function startServer({ port = 0, host = '127.0.0.1', served = exampleFolders } = {}) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    let pathname;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('bad path\n');
      return;
    }
    if (pathname === '/' || pathname === '/examples/web') pathname = '/examples/web/';
    if (pathname.endsWith('/')) pathname += 'index.html';
    const file = path.join(repoRoot, path.normalize(pathname));
    const allowed = served.some((prefix) => file.startsWith(path.join(repoRoot, prefix)));
    if (!allowed || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${url.pathname}\n`);
      return;
    }
    res.writeHead(200, {
      'content-type': types[path.extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
    });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: bound } = server.address();
      resolve({
        url: `http://${host}:${bound}/examples/web/`,
        origin: `http://${host}:${bound}`,
        close: () => new Promise((done) => server.close(done)),
      });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT ?? 8000);
  const { url } = await startServer({ port });
  console.log(`paysign web example: ${url}  (Ctrl-C to stop)`);
}

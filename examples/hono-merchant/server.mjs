// Run with: make wasm && npm ci && node examples/hono-merchant/server.mjs
//           (then POST a notification to the printed URL, e.g. with `paysign notify`)
//
// A merchant's notification endpoint in a Hono application, served on Node by
// @hono/node-server. paysign's `fetchHandler()` takes the fetch Request Hono wraps
// (`c.req.raw`), untouched: `c.req.json()` or `parseBody()` before it would consume the body
// the signature covers. On Cloudflare Workers, Deno and Bun the route is the same; only
// loading paysign differs (sdk-wasm/README.md). Environment: examples/shared/merchant.mjs.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { fileURLToPath } from 'node:url';

import { fetchHandler } from 'paysign/frameworks';
import { runExample } from '../shared/merchant.mjs';

/** The application: POST /paysign/notify answered by paysign. */
export function createApp({ verifier, book, now, onError }) {
  const app = new Hono();
  const notify = fetchHandler(verifier, book, { now, onError });
  app.post('/paysign/notify', (c) => notify(c.req.raw));
  return app;
}

/** Serves the application on node:http; resolves to `{ url, close() }`. */
export function startServer({ port = 0, host = '127.0.0.1', verifier, book, now, onError }) {
  return new Promise((resolve) => {
    const server = serve({ fetch: createApp({ verifier, book, now, onError }).fetch, port, hostname: host }, (info) =>
      resolve({
        url: `http://${host}:${info.port}/paysign/notify`,
        close: () => new Promise((done) => server.close(done)),
      }),
    );
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runExample(startServer, 'Hono');

// Run with: make wasm && npm ci && node examples/koa-merchant/server.mjs
//           (then POST a notification to the printed URL, e.g. with `paysign notify`)
//
// A merchant's notification endpoint in a Koa 3 application. paysign's `koa()` middleware
// reads the raw body from `ctx.req` and answers; it goes on the notification route before
// any body parser (koa-bodyparser and koa-body consume the stream the signature covers).
// Koa has no router of its own: a path check stands for @koa/router's
// `router.post('/paysign/notify', notifications)`. Environment: examples/shared/merchant.mjs.
import Koa from 'koa';
import { fileURLToPath } from 'node:url';

import { koa as notifications } from 'paysign/frameworks';
import { runExample } from '../shared/merchant.mjs';

/** The application: POST /paysign/notify answered by paysign, everything else 404. */
export function createApp({ verifier, book, now, onError }) {
  const app = new Koa();
  const notify = notifications(verifier, book, { now, onError });
  app.use((ctx, next) => (ctx.method === 'POST' && ctx.path === '/paysign/notify' ? notify(ctx) : next()));
  return app;
}

/** Starts the application; resolves to `{ url, close() }` (url: the notification endpoint). */
export function startServer({ port = 0, host = '127.0.0.1', verifier, book, now, onError }) {
  return new Promise((resolve, reject) => {
    const server = createApp({ verifier, book, now, onError }).listen(port, host);
    server.once('error', reject);
    server.once('listening', () =>
      resolve({
        url: `http://${host}:${server.address().port}/paysign/notify`,
        close: () => new Promise((done) => server.close(done)),
      }),
    );
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runExample(startServer, 'Koa');

// Run with: make wasm && npm ci && node examples/fastify-merchant/server.mjs
//           (then POST a notification to the printed URL, e.g. with `paysign notify`)
//
// A merchant's notification endpoint in a Fastify 5 application. paysign's `fastify()` is a
// plugin: registered with the endpoint's path as its prefix, it reads every content type as
// raw bytes inside its own scope (Fastify's JSON and text parsers would have parsed the body
// the signature covers), while the rest of the application keeps Fastify's parsers.
// Environment: examples/shared/merchant.mjs.
import Fastify from 'fastify';
import { fileURLToPath } from 'node:url';

import { fastify as notifications } from 'paysign/frameworks';
import { runExample } from '../shared/merchant.mjs';

/** The application: the notification plugin at /paysign/notify, and a JSON route beside it. */
export function createApp({ verifier, book, now, onError }) {
  const app = Fastify();
  app.register(notifications(verifier, book, { now, onError }), { prefix: '/paysign/notify' });
  app.post('/orders/:id/note', async (request) => ({ order: request.params.id, note: request.body?.note ?? null }));
  return app;
}

/** Starts the application; resolves to `{ url, close() }` (url: the notification endpoint). */
export async function startServer({ port = 0, host = '127.0.0.1', verifier, book, now, onError }) {
  const app = createApp({ verifier, book, now, onError });
  await app.listen({ port, host });
  return { url: `http://${host}:${app.server.address().port}/paysign/notify`, close: () => app.close() };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runExample(startServer, 'Fastify');

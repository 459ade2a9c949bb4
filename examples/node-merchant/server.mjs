// Run with: make wasm && npm ci && node examples/node-merchant/server.mjs
//           (then POST a notification to the printed URL, e.g. with `paysign notify`)
//      or, as one of several instances sharing Redis:
//           PAYSIGN_REDIS_URL=redis://127.0.0.1:6379 PORT=8081 node examples/node-merchant/server.mjs
//
// A merchant's notification endpoint on plain node:http. The bill-payment gateway POSTs the
// final result of each order to `notify_url` and retries until it reads the acknowledgement
// (`success`), for about 25 hours, sometimes the very same body. So the endpoint
// (`nodeHandler` of paysign/frameworks):
//
//   1. reads the raw body — never a parsed one: the signature covers the exact bytes;
//   2. hands it to a NotificationVerifier configured once (gateway key, app id), whose
//      `handle` checks signature, app id, time window and amounts, claims the notify_id,
//      books it, and records it as booked (docs/replay.md);
//   3. so a notification is booked once: a duplicate is acknowledged again, not booked
//      again; a copy that arrives while the first is being booked is asked to come back;
//   4. acknowledges with the exact body the gateway expects — or, when booking failed
//      (the claim is released), answers `fail`, so the gateway retries it later; a forged
//      or altered notification is refused (400).
//
// Behind a load balancer every instance must see the others' claims: with PAYSIGN_REDIS_URL
// the notification ids live in Redis (paysign/redis) instead of this process's memory, and
// a copy that lands on another instance mid-booking is answered `fail` (retry) too.
//
// Environment: examples/shared/merchant.mjs (PORT, the gateway key, the app id, Redis, the
// bookings file, a slow booking, a fixed clock).
import http from 'node:http';
import { fileURLToPath } from 'node:url';

import { nodeHandler } from 'paysign/frameworks';
import { runExample } from '../shared/merchant.mjs';

export { Orders } from '../shared/merchant.mjs';

/**
 * The server's request listener: `verifier` is a NotificationVerifier, `book(notification)`
 * books a new notification (may be async; throwing means "not booked, retry later"), `now()`
 * the clock in Unix seconds (a fixed one in tests), `onError(error, notification?)` hears
 * what stopped a notification (default: a line on the console).
 */
export function createHandler({ verifier, book, now, onError }) {
  const notify = nodeHandler(verifier, book, { now, onError });
  return function route(req, res) {
    const path = new URL(req.url, 'http://localhost').pathname;
    if (req.method === 'POST' && path === '/paysign/notify') return notify(req, res);
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('not found\n');
  };
}

/** Starts the endpoint; resolves to `{ url, server, close() }`. */
export function startServer({ port = 0, host = '127.0.0.1', verifier, book, now, onError }) {
  const server = http.createServer(createHandler({ verifier, book, now, onError }));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: bound } = server.address();
      resolve({
        url: `http://${host}:${bound}/paysign/notify`,
        server,
        close: () => new Promise((done) => server.close(done)),
      });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runExample(startServer, 'node:http');

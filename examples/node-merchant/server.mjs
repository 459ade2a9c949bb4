// Run with: make wasm && npm ci && node examples/node-merchant/server.mjs
//           (then POST a notification to the printed URL, e.g. with `paysign notify`)
//      or, as one of several instances sharing Redis:
//           PAYSIGN_REDIS_URL=redis://127.0.0.1:6379 PORT=8081 node examples/node-merchant/server.mjs
//
// A merchant's notification endpoint on plain node:http. The bill-payment gateway POSTs the
// final result of each order to `notify_url` and retries until it reads the acknowledgement
// (`success`), for about 25 hours, sometimes the very same body. So the handler:
//
//   1. reads the raw body — never a parsed one: the signature covers the exact bytes;
//   2. hands it to a NotificationVerifier configured once (gateway key, app id), whose
//      `handle` checks signature, app id, time window and amounts, claims the notify_id,
//      books it, and records it as booked (docs/replay.md);
//   3. so a notification is booked once: a duplicate is acknowledged again, not booked
//      again; a copy that arrives while the first is being booked is asked to come back;
//   4. acknowledges with the exact body the gateway expects — or, when booking failed
//      (the claim is released), answers `fail`, so the gateway retries it later.
//
// Behind a load balancer every instance must see the others' claims: with PAYSIGN_REDIS_URL
// the notification ids live in Redis (paysign/redis) instead of this process's memory, and
// a copy that lands on another instance mid-booking is answered `fail` (retry) too.
//
// Environment: PORT (default 8080; 0 picks a free port), PAYSIGN_GATEWAY_PUBLIC_KEY (a PEM
// file; default the repository's test key), PAYSIGN_APP_ID (default the test merchant
// 2026000000000001), PAYSIGN_REDIS_URL (share the ids in this Redis), PAYSIGN_REDIS_PREFIX
// (default paysign:notify:, one per merchant), PAYSIGN_LEASE_SECS (default 120: longer than
// the slowest booking), PAYSIGN_BOOKINGS_FILE (append each booking to this file: the books
// of the example), PAYSIGN_BOOKING_DELAY_MS (a slow database, to watch copies meet).
import fs from 'node:fs';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { NotificationVerifier, PaysignError, formatYuan } from 'paysign';
import { redisReplayStore } from 'paysign/redis';
import { createClient } from 'redis';

/** Largest body read; the verifier refuses more than 1 MiB anyway (BODY_TOO_LARGE). */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The merchant's books, in memory for the example: one entry per notify_id. A real merchant
 * books in its database, in the same transaction that marks the order paid.
 */
export class Orders {
  #booked = new Map();

  /** Books a verified notification (idempotent by notify_id). */
  book(notification) {
    if (!this.#booked.has(notification.notifyId)) this.#booked.set(notification.notifyId, notification);
  }

  /** Every booked notification, oldest first. */
  get booked() {
    return [...this.#booked.values()];
  }
}

/** Reads the raw request body, at most `limit` bytes. */
function rawBody(req, limit) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > limit) {
        reject(Object.assign(new Error('body too large'), { status: 413 }));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res, { status, contentType, body }) {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * The request handler: `verifier` is a NotificationVerifier, `book(notification)` books a
 * new notification (may be async; throwing means "not booked, retry later"), `now()` the
 * clock in Unix seconds (injectable for tests), `log` where refusals are reported.
 */
export function createHandler({ verifier, book, now = () => Date.now() / 1000, log = console.error }) {
  return async function handle(req, res) {
    const path = new URL(req.url, 'http://localhost').pathname;
    if (req.method !== 'POST' || path !== '/paysign/notify') {
      send(res, { status: 404, contentType: 'text/plain; charset=utf-8', body: 'not found\n' });
      return;
    }
    let body;
    try {
      body = await rawBody(req, MAX_BODY_BYTES);
    } catch (e) {
      send(res, { status: e.status ?? 400, contentType: 'text/plain; charset=utf-8', body: `${e.message}\n` });
      return;
    }
    try {
      // The headers carry the Content-Type (form, JSON or XML; the charset). `book` runs
      // only for a notification not booked before, and at most once at a time.
      await verifier.handle(body, { headers: req.headers, now: now() }, book);
    } catch (e) {
      // The answer the error calls for: success for a booking the store did not record
      // (the booking stands); a refusal (400) for a forged, altered, expired or misaddressed
      // notification; a retry when it was not booked (the booking failed, another copy is
      // being booked, the store is down).
      if (e instanceof PaysignError && e.booked) log(`booked ${e.notification.notifyId} but could not record it: ${e.message}`);
      else if (e instanceof PaysignError) log(`notification not booked (${e.code}): ${e.message}`);
      else log(`notification not booked, the gateway will retry: ${e.message}`);
      send(res, verifier.acknowledgeError(e));
      return;
    }
    send(res, verifier.acknowledge(true));
  };
}

/** Starts the endpoint; resolves to `{ url, server, close() }`. */
export function startServer({ port = 0, host = '127.0.0.1', ...handlerOptions }) {
  const handle = createHandler(handlerOptions);
  const server = http.createServer((req, res) => {
    handle(req, res).catch((e) => {
      (handlerOptions.log ?? console.error)(`internal error: ${e.stack}`);
      if (!res.headersSent) send(res, { status: 500, contentType: 'text/plain; charset=utf-8', body: 'internal error\n' });
    });
  });
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

/**
 * A connected node-redis client for the shared replay store. No offline queue: while Redis
 * is down a notification is answered `fail` at once (the gateway retries) instead of
 * waiting for the reconnection, which node-redis makes by itself.
 */
async function connectRedis(url) {
  const client = createClient({ url, disableOfflineQueue: true });
  // Connection errors are reported here (an 'error' without a listener ends the process).
  client.on('error', (e) => console.error(`redis: ${e.message}`));
  await client.connect();
  return client;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const env = process.env;
  const keyFile = env.PAYSIGN_GATEWAY_PUBLIC_KEY ?? fileURLToPath(new URL('../../tests/vectors/keys/gateway_public_spki.pem', import.meta.url));
  const redis = env.PAYSIGN_REDIS_URL ? await connectRedis(env.PAYSIGN_REDIS_URL) : null;
  // Configured once: the gateway's public key, your app id, RSA2 only; the notification ids
  // in this process's memory, or in Redis shared by every instance.
  const verifier = new NotificationVerifier({
    profile: 'paysign',
    publicKey: fs.readFileSync(keyFile, 'utf8'),
    accept: ['RSA2'],
    appId: env.PAYSIGN_APP_ID ?? '2026000000000001',
    leaseSecs: env.PAYSIGN_LEASE_SECS ? Number(env.PAYSIGN_LEASE_SECS) : undefined,
    replayStore: redis ? redisReplayStore(redis, { prefix: env.PAYSIGN_REDIS_PREFIX }) : undefined,
  });
  const orders = new Orders();
  const bookingDelayMs = Number(env.PAYSIGN_BOOKING_DELAY_MS ?? 0);
  const book = async (n) => {
    await sleep(bookingDelayMs);
    // A failing write (the file's folder is gone) throws: the claim is released, the gateway
    // is answered `fail` and its retry is booked.
    if (env.PAYSIGN_BOOKINGS_FILE) await fs.promises.appendFile(env.PAYSIGN_BOOKINGS_FILE, `${n.notifyId} ${n.outTradeNo} ${n.status} ${n.totalAmount}\n`);
    orders.book(n);
    console.log(`booked ${n.outTradeNo}: ${n.status}, ${formatYuan(n.totalAmount)} yuan (notify_id ${n.notifyId})`);
  };
  const { url, close } = await startServer({ port: Number(env.PORT ?? 8080), verifier, book });
  console.log(`paysign merchant endpoint: POST ${url}  (Ctrl-C to stop)`);
  process.once('SIGTERM', async () => {
    await close();
    await redis?.close();
  });
}

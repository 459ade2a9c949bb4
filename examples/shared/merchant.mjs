// The merchant behind every notification example (examples/*-merchant/): its books, its
// verifier and its booking, configured from the environment, and the command-line start.
// Each example's own file holds only what its framework needs.
//
// Environment: PORT (default 8080; 0 picks a free port), PAYSIGN_PROFILE (the platform:
// default paysign; alipay), PAYSIGN_GATEWAY_PUBLIC_KEY (the platform's public key, a PEM file;
// default the repository's test key), PAYSIGN_APP_ID (default the test merchant
// 2026000000000001), PAYSIGN_REDIS_URL (share the notification ids in this Redis),
// PAYSIGN_REDIS_PREFIX (default paysign:notify:, one per merchant), PAYSIGN_LEASE_SECS
// (default 120: longer than the slowest booking), PAYSIGN_BOOKINGS_FILE (append each booking
// to this file: the books of the example), PAYSIGN_BOOKING_DELAY_MS (a slow database, to
// watch copies meet), PAYSIGN_NOW (a fixed clock in Unix seconds, to replay recorded
// notifications such as the repository's test vectors; default the system clock).
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { NotificationVerifier, formatYuan } from 'paysign';
import { redisReplayStore } from 'paysign/redis';
import { createClient } from 'redis';

/**
 * The merchant's books, in memory for the examples: one entry per notify_id. A real merchant
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

/**
 * The merchant the environment describes: `{ verifier, book, now, orders, close }`, what
 * every example's `startServer` takes (`now` is undefined for the system clock), and
 * `close()` for its Redis connection.
 */
export async function merchantFromEnv(env = process.env) {
  const keyFile = env.PAYSIGN_GATEWAY_PUBLIC_KEY ?? fileURLToPath(new URL('../../tests/vectors/keys/gateway_public_spki.pem', import.meta.url));
  const redis = env.PAYSIGN_REDIS_URL ? await connectRedis(env.PAYSIGN_REDIS_URL) : null;
  // Configured once: the platform's public key, your app id, RSA2 only; the notification ids
  // in this process's memory, or in Redis shared by every instance.
  const verifier = new NotificationVerifier({
    profile: env.PAYSIGN_PROFILE ?? 'paysign',
    publicKey: fs.readFileSync(keyFile, 'utf8'),
    accept: ['RSA2'],
    appId: env.PAYSIGN_APP_ID ?? '2026000000000001',
    leaseSecs: env.PAYSIGN_LEASE_SECS ? Number(env.PAYSIGN_LEASE_SECS) : undefined,
    replayStore: redis ? redisReplayStore(redis, { prefix: env.PAYSIGN_REDIS_PREFIX }) : undefined,
  });
  const orders = new Orders();
  const bookingDelayMs = Number(env.PAYSIGN_BOOKING_DELAY_MS ?? 0);
  const book = async (n) => {
    console.log(`booking ${n.outTradeNo} (notify_id ${n.notifyId})`);
    await sleep(bookingDelayMs);
    // A failing write (the file's folder is gone) throws: the claim is released, the gateway
    // is answered `fail` and its retry is booked.
    if (env.PAYSIGN_BOOKINGS_FILE) await fs.promises.appendFile(env.PAYSIGN_BOOKINGS_FILE, `${n.notifyId} ${n.outTradeNo} ${n.status} ${n.totalAmount}\n`);
    orders.book(n);
    console.log(`booked ${n.outTradeNo}: ${n.status}, ${formatYuan(n.totalAmount)} yuan (notify_id ${n.notifyId})`);
  };
  const fixedNow = env.PAYSIGN_NOW ? Number(env.PAYSIGN_NOW) : undefined;
  return {
    verifier,
    book,
    now: fixedNow === undefined ? undefined : () => fixedNow,
    orders,
    close: async () => {
      await redis?.close();
    },
  };
}

/**
 * Runs an example as a program: the merchant from the environment, served by the example's
 * `startServer({ port, verifier, book, now })` (which resolves to `{ url, close }`) until
 * SIGTERM.
 */
export async function runExample(startServer, framework) {
  const merchant = await merchantFromEnv();
  const { url, close } = await startServer({ port: Number(process.env.PORT ?? 8080), ...merchant });
  console.log(`paysign merchant endpoint (${framework}): POST ${url}  (Ctrl-C to stop)`);
  process.once('SIGTERM', async () => {
    await close();
    await merchant.close();
  });
}

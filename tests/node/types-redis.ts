// Compile-only check of paysign/redis's typings against the real clients (tsc --noEmit
// --strict, tsconfig.redis.json: Node's types, which the client packages' typings need, and
// skipLibCheck, as ioredis's own typings do not compile strictly; types.ts checks
// redis.d.ts itself): node-redis and ioredis clients are accepted, and every store is the
// main typings' ReplayStore. Never run.
import { NotificationVerifier } from 'paysign';
import type { Notification, ReplayStore } from 'paysign';
import { redisReplayStore, upstashReplayStore } from 'paysign/redis';
import type { RedisReplayStoreOptions } from 'paysign/redis';
import { Redis } from 'ioredis';
import { createClient, createClientPool } from 'redis';

export async function redisStores(pem: string, rawBody: Uint8Array): Promise<void> {
  const nodeRedis = await createClient({ url: 'redis://127.0.0.1:6379', disableOfflineQueue: true }).connect();
  const pool = createClientPool({ url: 'redis://127.0.0.1:6379' });
  await pool.connect();
  const options: RedisReplayStoreOptions = { prefix: 'shop-1:notify:', failOpen: false };
  const stores: ReplayStore[] = [
    redisReplayStore(nodeRedis, options),
    redisReplayStore(pool),
    redisReplayStore(new Redis({ enableOfflineQueue: false, commandTimeout: 500 })),
    upstashReplayStore({ url: 'https://example.upstash.io', token: 'token', prefix: 'shop-1:' }),
  ];
  for (const replayStore of stores) {
    const verifier = new NotificationVerifier({ publicKey: pem, replayStore });
    const n: Notification = await verifier.handle(rawBody, { headers: { 'content-type': 'application/x-www-form-urlencoded' } }, async () => {});
    console.log(n.duplicate);
  }
}

// Run with: make wasm && npm ci && node scripts/bench-redis.mjs   (about 20 seconds; needs
//           redis-server, which scripts/setup.sh installs)
//
// What a shared replay store costs a merchant server: NotificationVerifier.handle on fresh
// notifications (each a distinct notify_id, signed here with the gateway's test key), from
// 8 concurrent callers, first with the default in-memory store (the verification alone),
// then with paysign/redis on node-redis (verify, then claim and complete on Redis: two
// round trips). Throughput and latency percentiles, wall-clock time, in one run; the
// redis-server is started on 127.0.0.1 and stopped here. Not part of the test command.
// Environment: BENCH_OPS (notifications per store, default 4000), BENCH_CONCURRENCY (8).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

import { NotificationVerifier, Signer } from 'paysign';
import { redisReplayStore } from 'paysign/redis';
import { createClient } from 'redis';

import { RedisServer } from '../tests/node/redis-server.mjs';

const OPS = Number(process.env.BENCH_OPS ?? 4000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const WARMUP = 300;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const key = (name) => fs.readFileSync(path.join(root, 'tests/vectors/keys', name), 'utf8');
const gateway = new Signer({ privateKey: key('gateway_private_pkcs8.pem'), message: 'notification' });
const headers = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
const now = Math.floor(Date.now() / 1000);

/** `count` gateway notifications, each with its own notify_id: none is a duplicate. */
function notifications(count, tag) {
  return Array.from({ length: count }, (_, i) =>
    new URLSearchParams(
      gateway.signParams({
        notify_id: `N${tag}${String(i).padStart(8, '0')}`,
        notify_type: 'trade_status_sync',
        notify_time: String(now),
        app_id: '2026000000000001',
        version: '1.0',
        out_trade_no: `M${tag}${i}`,
        trade_no: `T${tag}${i}`,
        bill_no: 'SHW2026110042',
        trade_status: 'SUCCESS',
        total_amount: '6754',
        nonce: crypto.randomBytes(16).toString('hex'),
      }),
    ).toString(),
  );
}

/** Handles every body once from CONCURRENCY callers; throughput and latencies. */
async function run(verifier, bodies) {
  const latencies = [];
  let next = 0;
  const caller = async () => {
    while (next < bodies.length) {
      const body = bodies[next++];
      const start = performance.now();
      const n = await verifier.handle(body, { headers, now }, () => {});
      latencies.push(performance.now() - start);
      if (n.duplicate) throw new Error(`${n.notifyId} came back as a duplicate: the bench needs distinct ids`);
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, caller));
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((x, y) => x - y);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { opsPerSec: bodies.length / seconds, p50: at(0.5), p99: at(0.99), max: latencies.at(-1) };
}

const verifierOptions = { publicKey: key('gateway_public_spki.pem'), accept: ['RSA2'], appId: '2026000000000001' };
process.stderr.write(`bench-redis: signing ${2 * (OPS + WARMUP)} notifications with the gateway test key\n`);
const bodies = { memory: notifications(OPS, 'M'), redis: notifications(OPS, 'R') };
const warmups = { memory: notifications(WARMUP, 'WM'), redis: notifications(WARMUP, 'WR') };

const server = new RedisServer();
let client;
try {
  await server.start();
  client = await createClient({ url: server.url, disableOfflineQueue: true }).connect();
  const redisVersion = (await client.info('server')).match(/redis_version:(\S+)/)[1];
  const stores = [
    ['verify alone (memory store)', 'memory', new NotificationVerifier(verifierOptions)],
    ['verify + claim/complete on Redis (node-redis)', 'redis', new NotificationVerifier({ ...verifierOptions, replayStore: redisReplayStore(client, { prefix: 'paysign:bench:' }) })],
  ];
  const rows = [];
  for (const [label, name, verifier] of stores) {
    process.stderr.write(`bench-redis: ${label}\n`);
    await run(verifier, warmups[name]);
    rows.push([label, await run(verifier, bodies[name])]);
  }
  const ms = (x) => x.toFixed(2);
  console.log(`NotificationVerifier.handle, ${OPS} distinct RSA2 notifications, ${CONCURRENCY} concurrent callers, Node ${process.version}, Redis ${redisVersion} on 127.0.0.1`);
  console.log('');
  console.log('| store | ops/s | p50 ms | p99 ms | max ms |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const [label, r] of rows) console.log(`| ${label} | ${Math.round(r.opsPerSec)} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.max)} |`);
} finally {
  if (client?.isOpen) await client.close();
  await server.close();
}

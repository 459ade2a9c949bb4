// paysign/redis against a real redis-server (started here, 127.0.0.1, a free port): one
// contract suite for the exactly-once flow (claim, in progress, done, release by token,
// leases, completed ids kept until keepUntil, the lost-booking case) run on the memory store
// (the default verifier) and on the Redis stores — node-redis, ioredis, and Upstash REST
// through a local bridge to the same server — then what only the adapters do: the Lua
// scripts by SHA-1, prefixes and expiries, Redis failures, failOpen, checked options.
// tests/node/redis-merchants.test.mjs runs the example merchant server as processes.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import Redis from 'ioredis';
import { createClient, createClientPool, createCluster } from 'redis';
import { NotificationVerifier, PaysignError } from 'paysign';
import { redisReplayStore, upstashReplayStore } from 'paysign/redis';

import { RedisServer, freePort } from './redis-server.mjs';
import { notifyCases, root } from './vectors.mjs';

const paysignForm = notifyCases({ failing: false }).find((c) => c.name === 'notify_paysign_form');
const { body, call } = paysignForm;
const id = 'N20261121000000000001';
const notifyTime = 1795190400;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The SHA-1 of a script of paysign-redis/lua/, as Redis names it. */
function scriptSha(name) {
  return crypto.createHash('sha1').update(fs.readFileSync(path.join(root, 'paysign-redis/lua', name))).digest('hex');
}

/** The PaysignError code (or the message of another error) a promise rejects with. */
async function outcomeOf(promise) {
  try {
    await promise;
  } catch (e) {
    return e instanceof PaysignError ? e.code : e.message;
  }
  return 'resolved';
}

/**
 * The Upstash REST API in front of the test's redis-server: POST / with `Authorization:
 * Bearer <token>` and the command as a JSON array; `{ result }`, or `{ error }` with HTTP
 * 400 for a Redis error, 401 for a wrong token (as Upstash answers).
 */
async function upstashBridge(redis, token) {
  const server = http.createServer(async (req, res) => {
    const answer = (status, json) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    if (req.method !== 'POST' || req.headers.authorization !== `Bearer ${token}`) return answer(401, { error: 'Unauthorized' });
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    let command;
    try {
      command = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return answer(400, { error: 'ERR failed to parse command' });
    }
    if (!Array.isArray(command) || command.length === 0 || command.some((arg) => typeof arg !== 'string' && typeof arg !== 'number')) {
      return answer(400, { error: 'ERR the command must be a non-empty JSON array of strings and numbers' });
    }
    try {
      answer(200, { result: await redis.sendCommand(command.map(String)) });
    } catch (e) {
      answer(400, { error: e.message });
    }
  });
  const port = await freePort();
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

const redisServer = new RedisServer();
let admin; // node-redis: looks at the keys the stores write
let nodeRedis;
let pool; // node-redis createClientPool
let ioredis;
let bridge;
const bridgeToken = crypto.randomUUID();
const opened = []; // clients made by single tests, closed in after()

before(async () => {
  await redisServer.start();
  admin = await createClient({ url: redisServer.url }).connect();
  nodeRedis = await createClient({ url: redisServer.url }).connect();
  pool = createClientPool({ url: redisServer.url });
  await pool.connect();
  ioredis = new Redis({ host: '127.0.0.1', port: redisServer.port });
  await ioredis.ping();
  const behindBridge = await createClient({ url: redisServer.url }).connect();
  opened.push(behindBridge);
  bridge = await upstashBridge(behindBridge, bridgeToken);
});

after(async () => {
  await bridge?.close();
  for (const client of [admin, nodeRedis, ...opened]) if (client?.isOpen) await client.close();
  if (pool?.isOpen) await pool.close();
  ioredis?.disconnect();
  await redisServer.close();
});

let prefixes = 0;
/** A prefix no other test uses: each test starts from an empty store. */
const freshPrefix = (name) => `paysign:test:${name}:${++prefixes}:`;

/** Each store the contract runs on. `realTime`: Redis expires keys by its own clock. */
const stores = [
  { name: 'memory (the default verifier, no replayStore)', realTime: false, replayStore: null },
  { name: 'node-redis', realTime: true, replayStore: (prefix) => redisReplayStore(nodeRedis, { prefix }) },
  { name: 'ioredis', realTime: true, replayStore: (prefix) => redisReplayStore(ioredis, { prefix }) },
  { name: 'Upstash REST (fetch)', realTime: true, replayStore: (prefix) => upstashReplayStore({ url: bridge.url, token: bridgeToken, prefix }) },
];

for (const store of stores) {
  describe(`replay store contract: ${store.name}`, () => {
    /** A verifier on a fresh store; `held()` is the id's key in Redis: { value, pttl }. */
    function fresh(options = {}) {
      const prefix = freshPrefix(store.name.split(' ')[0]);
      const replayStore = store.replayStore === null ? {} : { replayStore: store.replayStore(prefix) };
      const verifier = new NotificationVerifier({ ...paysignForm.options, ...options, ...replayStore });
      const held = store.replayStore === null ? null : async () => ({ value: await admin.get(prefix + id), pttl: await admin.pTTL(prefix + id) });
      return { verifier, held };
    }
    /** `seconds` pass: on the verifier's clock (the caller adds them to `now`) and for Redis. */
    const elapse = (seconds) => (store.realTime ? sleep(seconds * 1000 + 100) : Promise.resolve());

    it('claimed while booked (a copy is in progress), done once booked: later copies are duplicates, never booked again', async () => {
      const { verifier, held } = fresh();
      let booked = 0;
      const n = await verifier.handle(body, call, async () => {
        booked++;
        const copy = verifier.handle(body, call, () => assert.fail('a copy was booked while the first was being booked'));
        assert.equal(await outcomeOf(copy), 'NOTIFICATION_IN_PROGRESS');
        if (held) {
          // The key is the prefix and the id; it holds the claim and expires with the lease.
          const claim = await held();
          assert.match(claim.value, /^claim:[0-9a-f-]{36}$/);
          assert.ok(claim.pttl > 0 && claim.pttl <= 120_000, `lease PTTL ${claim.pttl}`);
        }
      });
      assert.equal(n.duplicate, false);
      for (let i = 0; i < 3; i++) {
        const copy = await verifier.handle(body, call, () => assert.fail('a duplicate was booked'));
        assert.equal(copy.duplicate, true);
      }
      assert.equal(booked, 1);
      if (held) {
        // Completed: kept for the verifier's window (maxAgeSecs, 26 h), then gone by itself.
        const done = await held();
        assert.equal(done.value, 'done');
        assert.ok(done.pttl > 120_000 && done.pttl <= 93_600_000, `done PTTL ${done.pttl}`);
      }
    });

    it('the lost-booking case: 5 copies at once while a 300 ms booking fails → 4 in progress and the handler error; the retry books once', async () => {
      const { verifier, held } = fresh();
      const booked = [];
      let failNext = true;
      const book = async (n) => {
        await sleep(300);
        if (failNext) {
          failNext = false;
          throw new Error('database write failed');
        }
        booked.push(n.outTradeNo);
      };
      const outcomes = await Promise.all([0, 1, 2, 3, 4].map(() => outcomeOf(verifier.handle(body, call, book))));
      assert.deepEqual(outcomes.sort(), ['NOTIFICATION_IN_PROGRESS', 'NOTIFICATION_IN_PROGRESS', 'NOTIFICATION_IN_PROGRESS', 'NOTIFICATION_IN_PROGRESS', 'database write failed']);
      assert.deepEqual(booked, [], 'no copy was acknowledged, so the platform retries: nothing is lost');
      if (held) assert.equal((await held()).value, null, 'the failed booking released its claim');
      // The platform's retry books it; every later copy is a duplicate.
      assert.equal((await verifier.handle(body, call, book)).duplicate, false);
      assert.equal((await verifier.handle(body, call, book)).duplicate, true);
      assert.deepEqual(booked, ['M20261120000001']);
    });

    it('a claim nobody completes (a crashed booking) frees the id when its lease ends; its late release leaves the new claim alone', async () => {
      const { verifier, held } = fresh({ leaseSecs: 1 });
      const at = call.now;
      const crashed = await verifier.verifyAsync(body, { ...call, now: at });
      assert.equal(crashed.duplicate, false);
      assert.equal(await outcomeOf(verifier.verifyAsync(body, { ...call, now: at })), 'NOTIFICATION_IN_PROGRESS');
      if (held) assert.ok((await held()).pttl <= 1000);
      await elapse(1);
      const retry = await verifier.verifyAsync(body, { ...call, now: at + 1 });
      assert.equal(retry.duplicate, false, 'after the lease the next copy is handled');
      // Only the token that holds the claim releases it: the stale one does nothing.
      await verifier.releaseAsync(crashed);
      assert.equal(await outcomeOf(verifier.verifyAsync(body, { ...call, now: at + 1 })), 'NOTIFICATION_IN_PROGRESS');
      await verifier.completeAsync(retry, { now: at + 1 });
      assert.equal((await verifier.verifyAsync(body, { ...call, now: at + 1 })).duplicate, true);
    });

    it('a completed id is kept until keepUntil (now + maxAgeSecs), then forgotten', async () => {
      // A notification dated ahead of the clock still passes the time check after
      // keepUntil: the only copy that can show the store forgetting (any other is too old).
      const { verifier, held } = fresh({ maxAgeSecs: 2, leaseSecs: 1 });
      const at = notifyTime - 10;
      let booked = 0;
      const book = () => void booked++;
      assert.equal((await verifier.handle(body, { ...call, now: at }, book)).duplicate, false);
      if (held) {
        const { pttl } = await held();
        assert.ok(pttl > 0 && pttl <= 2000, `done PTTL ${pttl}`);
      }
      assert.equal((await verifier.handle(body, { ...call, now: at + 1 }, book)).duplicate, true);
      await elapse(2);
      assert.equal((await verifier.handle(body, { ...call, now: at + 2 }, book)).duplicate, false);
      assert.equal(booked, 2);
    });
  });
}

describe('paysign/redis: what the adapters do', () => {
  const clients = () => [
    ['node-redis', nodeRedis],
    ['node-redis pool', pool],
    ['ioredis', ioredis],
  ];

  it('runs the scripts of paysign-redis/lua by their SHA-1, and gives Redis their text when it lacks them (NOSCRIPT); a release after complete changes nothing', async () => {
    const [claimSha, releaseSha] = [scriptSha('claim.lua'), scriptSha('release.lua')];
    for (const [name, client] of clients()) {
      await admin.sendCommand(['SCRIPT', 'FLUSH']);
      const store = redisReplayStore(client, { prefix: freshPrefix(name) });
      const claim = await store.claim(id, call.now, call.now + 60);
      assert.equal(claim.status, 'claimed', name);
      // The server now holds exactly the repository's claim.lua (by its SHA-1), loaded by EVAL.
      assert.deepEqual(await admin.sendCommand(['SCRIPT', 'EXISTS', claimSha, releaseSha]), [1, 0], name);
      await store.release(id, claim.token);
      assert.deepEqual(await admin.sendCommand(['SCRIPT', 'EXISTS', claimSha, releaseSha]), [1, 1], name);
      const again = await store.claim(id, call.now, call.now + 60);
      assert.equal(again.status, 'claimed', `${name}: released`);
      // A release that comes after the completion leaves the completed id alone.
      await store.complete(id, call.now, call.now + 60);
      await store.release(id, again.token);
      assert.deepEqual(await store.claim(id, call.now, call.now + 60), { status: 'done' }, name);
    }
  });

  it('keys carry the prefix: two merchants sharing one Redis never see each other’s ids', async () => {
    const merchantA = new NotificationVerifier({ ...paysignForm.options, replayStore: redisReplayStore(nodeRedis, { prefix: freshPrefix('merchant-a') }) });
    const merchantB = new NotificationVerifier({ ...paysignForm.options, replayStore: redisReplayStore(ioredis, { prefix: freshPrefix('merchant-b') }) });
    assert.equal((await merchantA.handle(body, call, () => {})).duplicate, false);
    assert.equal((await merchantB.handle(body, call, () => {})).duplicate, false);
    assert.equal((await merchantA.handle(body, call, () => {})).duplicate, true);
    assert.equal(await admin.exists(id), 0, 'no key without the prefix');
    const defaults = redisReplayStore(nodeRedis);
    const claim = await defaults.claim(`${id}-default`, call.now, call.now + 5);
    assert.match(await admin.get(`paysign:notify:${id}-default`), /^claim:/, 'the default prefix');
    await defaults.release(`${id}-default`, claim.token);
  });

  it('a Redis failure is REPLAY_STORE_UNAVAILABLE and the handler does not run: a closed client, a refused connection, a timeout', async () => {
    const closed = await createClient({ url: redisServer.url }).connect();
    await closed.close();
    const deadPort = await freePort();
    const refused = new Redis({ host: '127.0.0.1', port: deadPort, enableOfflineQueue: false, retryStrategy: () => null, lazyConnect: true });
    refused.on('error', () => {}); // ECONNREFUSED is reported to the command too
    await refused.connect().catch(() => {});
    const slow = new Redis({ host: '127.0.0.1', port: redisServer.port, commandTimeout: 200 });
    await slow.ping();
    for (const [name, client, pause] of [
      ['closed node-redis client', closed, false],
      ['ioredis, connection refused', refused, false],
      ['ioredis, command timeout', slow, true],
    ]) {
      const verifier = new NotificationVerifier({ ...paysignForm.options, replayStore: redisReplayStore(client, { prefix: freshPrefix('down') }) });
      // The server holds every client's commands for 1 s: a real timeout.
      if (pause) await admin.sendCommand(['CLIENT', 'PAUSE', '1000', 'ALL']);
      const failure = await verifier.handle(body, call, () => assert.fail('booked without the store')).catch((e) => e);
      assert.ok(failure instanceof PaysignError && failure.code === 'REPLAY_STORE_UNAVAILABLE', `${name}: ${failure}`);
      assert.ok(failure.cause instanceof Error, name);
      if (pause) await admin.ping(); // answered once the pause ends
    }
    slow.disconnect();
    refused.disconnect();
  });

  it('a key that is not a claim (WRONGTYPE) is a Redis error; an answer no script gives is a TypeError', async () => {
    const prefix = freshPrefix('wrongtype');
    await admin.hSet(prefix + id, 'written', 'by something else');
    const verifier = new NotificationVerifier({ ...paysignForm.options, replayStore: redisReplayStore(nodeRedis, { prefix }) });
    assert.equal(await outcomeOf(verifier.handle(body, call, () => assert.fail('booked'))), 'REPLAY_STORE_UNAVAILABLE');
    // A client (or proxy) that answers something else is a bug to fix, not an outage.
    const garbled = { call: async () => 'yes' };
    await assert.rejects(redisReplayStore(garbled).claim(id, 1, 2), (e) => e instanceof TypeError && /"yes"/.test(e.message));
    await assert.rejects(redisReplayStore(garbled).complete(id, 1, 2), (e) => e instanceof TypeError && /not OK/.test(e.message));
    await assert.rejects(redisReplayStore(garbled).release(id, 't'), (e) => e instanceof TypeError && /not 0 or 1/.test(e.message));
  });

  it('failOpen: while Redis fails the handler runs unrecorded, so a copy is booked twice (the documented danger); off by default', async () => {
    const closed = await createClient({ url: redisServer.url }).connect();
    await closed.close();
    const open = new NotificationVerifier({ ...paysignForm.options, replayStore: redisReplayStore(closed, { failOpen: true }) });
    let booked = 0;
    const book = () => void booked++;
    assert.equal((await open.handle(body, call, book)).duplicate, false);
    assert.equal((await open.handle(body, call, book)).duplicate, false);
    assert.equal(booked, 2);
    // A failing booking's release fails too, and is ignored: the handler's error is what comes out.
    assert.equal(await outcomeOf(open.handle(body, call, () => Promise.reject(new Error('database write failed')))), 'database write failed');
    const closedByDefault = new NotificationVerifier({ ...paysignForm.options, replayStore: redisReplayStore(closed) });
    assert.equal(await outcomeOf(closedByDefault.handle(body, call, book)), 'REPLAY_STORE_UNAVAILABLE');
    assert.equal(booked, 2);
    // With Redis up, failOpen changes nothing.
    const up = new NotificationVerifier({ ...paysignForm.options, replayStore: redisReplayStore(nodeRedis, { prefix: freshPrefix('fail-open'), failOpen: true }) });
    assert.equal((await up.handle(body, call, book)).duplicate, false);
    assert.equal((await up.handle(body, call, book)).duplicate, true);
    assert.equal(booked, 3);
  });

  it('Upstash: a wrong token is refused (REPLAY_STORE_UNAVAILABLE), not accepted', async () => {
    const verifier = new NotificationVerifier({ ...paysignForm.options, replayStore: upstashReplayStore({ url: bridge.url, token: 'wrong', prefix: freshPrefix('upstash') }) });
    const failure = await verifier.handle(body, call, () => assert.fail('booked')).catch((e) => e);
    assert.equal(failure.code, 'REPLAY_STORE_UNAVAILABLE');
    assert.match(failure.message, /Unauthorized/);
  });

  it('clients, options and arguments are checked', async () => {
    const cluster = createCluster({ rootNodes: [{ url: redisServer.url }] }); // never connected
    for (const client of [undefined, null, {}, 'redis://127.0.0.1', cluster]) {
      assert.throws(() => redisReplayStore(client), TypeError, String(client));
    }
    assert.throws(() => redisReplayStore(cluster), /cluster and sentinel clients are not supported/);
    assert.throws(() => redisReplayStore(nodeRedis, { prefx: 'a:' }), /unknown option "prefx"/);
    assert.throws(() => redisReplayStore(nodeRedis, { prefix: '' }), /prefix/);
    assert.throws(() => redisReplayStore(nodeRedis, { failOpen: 'yes' }), /failOpen/);
    assert.throws(() => redisReplayStore(nodeRedis, []), TypeError);
    assert.throws(() => upstashReplayStore(), /url, token/);
    assert.throws(() => upstashReplayStore({ url: 'redis://127.0.0.1', token: 't' }), /REST URL/);
    assert.throws(() => upstashReplayStore({ url: bridge.url }), /token/);
    const store = redisReplayStore(nodeRedis, { prefix: freshPrefix('arguments') });
    await assert.rejects(store.claim('', 1, 2), /non-empty string/);
    await assert.rejects(store.claim(id, 2, 2), /second after the first/);
    await assert.rejects(store.claim(id, 1.5, 3), /whole Unix seconds/);
    await assert.rejects(store.release(id, ''), /claim token/);
  });

  it("require('paysign/redis') works too (CommonJS)", async () => {
    const { createRequire } = await import('node:module');
    const required = createRequire(import.meta.url)('paysign/redis');
    assert.deepEqual(Object.keys(required).sort(), ['redisReplayStore', 'upstashReplayStore']);
    const claim = await required.redisReplayStore(nodeRedis, { prefix: freshPrefix('cjs') }).claim(id, 1, 2);
    assert.equal(claim.status, 'claimed');
  });
});

// Several merchant servers share one Redis: examples/node-merchant/server.mjs runs as two
// processes (PAYSIGN_REDIS_URL) in front of a real redis-server started here, and the
// gateway's deliveries are fresh notifications signed with the gateway's test key. Shown:
// 50 copies at once over both → booked once, none lost; a failing booking → its retry is
// booked; an instance killed mid-booking → the other books it after the lease; Redis
// stopped → `fail` (retry) and nothing booked, Redis back → the retry is booked once.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { createClient } from 'redis';
import { Signer } from 'paysign';

import { RedisServer, waitFor } from './redis-server.mjs';
import { readText, root } from './vectors.mjs';

const server = path.join(root, 'examples/node-merchant/server.mjs');
const prefix = 'paysign:merchants-test:';
const gateway = new Signer({ privateKey: readText('keys/gateway_private_pkcs8.pem'), message: 'notification' });

/** A notification as the gateway delivers it now: a signed form body for one order. */
function notification() {
  const notifyId = `N${Date.now()}${crypto.randomInt(1e6)}`;
  const params = gateway.signParams({
    notify_id: notifyId,
    notify_type: 'trade_status_sync',
    notify_time: String(Math.floor(Date.now() / 1000)),
    app_id: '2026000000000001',
    version: '1.0',
    out_trade_no: `M${notifyId.slice(1)}`,
    trade_no: `T${notifyId.slice(1)}`,
    bill_no: 'SHW2026110042',
    trade_status: 'SUCCESS',
    total_amount: '6754',
    nonce: crypto.randomBytes(16).toString('hex'),
  });
  return { notifyId, body: new URLSearchParams(params).toString() };
}

const redis = new RedisServer();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paysign-merchants-'));
const books = path.join(dir, 'books'); // every instance's bookings file is in here
const instances = [];
let admin;
let a;
let b;

/** Starts one merchant server process; resolves once it prints its URL. */
async function startInstance(name, { leaseSecs = 5, bookingDelayMs = 300 } = {}) {
  const child = spawn(process.execPath, [server], {
    env: {
      ...process.env,
      PORT: '0',
      PAYSIGN_REDIS_URL: redis.url,
      PAYSIGN_REDIS_PREFIX: prefix,
      PAYSIGN_LEASE_SECS: String(leaseSecs),
      PAYSIGN_BOOKING_DELAY_MS: String(bookingDelayMs),
      PAYSIGN_BOOKINGS_FILE: path.join(books, `${name}.log`),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const instance = { name, child, output: '', url: null };
  instances.push(instance);
  child.stdout.on('data', (chunk) => (instance.output += chunk));
  child.stderr.on('data', (chunk) => (instance.output += chunk));
  await waitFor(() => instance.output.match(/POST (http:\/\/127\.0\.0\.1:\d+\/paysign\/notify)/)?.[1] ?? child.exitCode !== null, {
    timeoutMs: 30_000,
    what: `merchant instance ${name} to listen`,
  });
  assert.equal(child.exitCode, null, `instance ${name} exited:\n${instance.output}`);
  instance.url = instance.output.match(/POST (\S+)/)[1];
  return instance;
}

async function stopInstance(instance, signal = 'SIGTERM') {
  const { child } = instance;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** What the instance answers the gateway: `success`, `fail`, or how the request failed. */
async function deliver(instance, body) {
  try {
    const response = await fetch(instance.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body });
    return await response.text();
  } catch (e) {
    return `request failed: ${e.cause?.code ?? e.message}`;
  }
}

/** How many times a notification was booked, over every instance's bookings file. */
function bookings(notifyId) {
  if (!fs.existsSync(books)) return 0;
  return fs
    .readdirSync(books)
    .flatMap((file) => fs.readFileSync(path.join(books, file), 'utf8').split('\n'))
    .filter((line) => line.startsWith(`${notifyId} `)).length;
}

before(async () => {
  fs.mkdirSync(books);
  await redis.start();
  admin = createClient({ url: redis.url });
  admin.on('error', () => {}); // Redis is stopped on purpose below; admin reconnects
  await admin.connect();
  [a, b] = await Promise.all([startInstance('a'), startInstance('b')]);
});

after(async () => {
  await Promise.all(instances.map((instance) => stopInstance(instance, 'SIGKILL')));
  if (admin?.isOpen) await admin.close();
  await redis.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('two merchant server processes sharing one Redis (examples/node-merchant, PAYSIGN_REDIS_URL)', () => {
  it('50 copies at once, spread over both: booked exactly once, every copy answered success or fail (retry), none lost', async () => {
    const { notifyId, body } = notification();
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => deliver([a, b][i % 2], body)));
    const counts = {};
    for (const answer of answers) counts[answer] = (counts[answer] ?? 0) + 1;
    assert.deepEqual(Object.keys(counts).filter((answer) => answer !== 'success' && answer !== 'fail'), [], JSON.stringify(counts));
    assert.ok(counts.success >= 1, 'the copy that booked it is acknowledged');
    assert.equal(bookings(notifyId), 1);
    // The gateway retries the copies answered `fail`: duplicates now, on either instance.
    assert.deepEqual([await deliver(a, body), await deliver(b, body)], ['success', 'success']);
    assert.equal(bookings(notifyId), 1);
  });

  it('a booking that fails is answered fail and released: the retry is booked', async () => {
    const { notifyId, body } = notification();
    fs.renameSync(books, `${books}.offline`); // the books cannot be written: booking throws
    try {
      assert.equal(await deliver(a, body), 'fail');
      assert.equal(await admin.exists(prefix + notifyId), 0, 'the claim was released');
    } finally {
      fs.renameSync(`${books}.offline`, books);
    }
    assert.equal(bookings(notifyId), 0);
    assert.equal(await deliver(b, body), 'success');
    assert.equal(bookings(notifyId), 1);
    assert.equal(await deliver(a, body), 'success');
    assert.equal(bookings(notifyId), 1);
  });

  it('an instance killed mid-booking: the others answer fail while its lease lasts, then one books it', async () => {
    const slow = await startInstance('killed', { leaseSecs: 5, bookingDelayMs: 600_000 });
    const { notifyId, body } = notification();
    const lost = deliver(slow, body);
    await waitFor(async () => (await admin.get(prefix + notifyId))?.startsWith('claim:'), { what: 'the slow instance to claim the notification' });
    await stopInstance(slow, 'SIGKILL');
    assert.match(await lost, /^request failed/);
    // The claim outlives its holder until the lease ends: meanwhile a copy is asked to retry.
    assert.ok((await admin.pTTL(prefix + notifyId)) > 0);
    assert.equal(await deliver(a, body), 'fail');
    // The gateway keeps retrying, on either instance; after the lease one books it.
    let attempt = 0;
    await waitFor(async () => (await deliver([a, b][attempt++ % 2], body)) === 'success', { timeoutMs: 30_000, everyMs: 250, what: 'a retry to be booked after the lease' });
    assert.equal(bookings(notifyId), 1);
    assert.equal(fs.existsSync(path.join(books, 'killed.log')), false, 'the killed instance booked nothing');
  });

  it('Redis stopped: every copy is answered fail and nothing is booked; Redis back: the retry is booked once', async () => {
    const { notifyId, body } = notification();
    await redis.stop();
    assert.deepEqual([await deliver(a, body), await deliver(b, body)], ['fail', 'fail']);
    assert.equal(bookings(notifyId), 0);
    await redis.start(); // the same port, empty: nothing was marked
    for (const instance of [a, b]) {
      await waitFor(async () => (await deliver(instance, body)) === 'success', { timeoutMs: 30_000, everyMs: 250, what: `instance ${instance.name} to reconnect and acknowledge` });
    }
    assert.equal(bookings(notifyId), 1);
    assert.equal(await admin.get(prefix + notifyId), 'done');
  });
});

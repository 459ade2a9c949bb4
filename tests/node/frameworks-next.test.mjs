// paysign/frameworks in a real Next.js App Router app: examples/next-merchant under `next dev`
// (Turbopack) on 127.0.0.1, posted the repository's signed notifications over HTTP.
//
// The app runs from the copy examples/next-merchant/dev.mjs lays out as a merchant's install
// (`paysign` a package folder in node_modules): in the repository Next.js would bundle the
// linked package as source, and it would not find its WebAssembly file.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';

import { MAX_BODY_BYTES } from 'paysign/frameworks';
import { installedCopy, nextBin } from '../../examples/next-merchant/dev.mjs';
import { postOversized, postVector as post } from './notify-client.mjs';
import { waitFor } from './redis-server.mjs';
import { notifyCases } from './vectors.mjs';

const vectors = Object.fromEntries(
  [...notifyCases({ failing: false }), ...notifyCases({ failing: true })].map((c) => [c.name, c]),
);
const SUCCESS = [200, 'text/plain; charset=utf-8', 'success'];
const RETRY = [200, 'text/plain; charset=utf-8', 'fail'];
const REFUSAL = [400, 'text/plain; charset=utf-8', 'fail'];

const servers = new Set();
// The last resort if the suite dies before its `after`: no Next.js server outlives the run.
process.on('exit', () => {
  for (const server of servers) {
    try {
      process.kill(-server.child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/**
 * Starts `next dev` on the example with the merchant's environment (examples/shared/
 * merchant.mjs) in its own process group; resolves to `{ url, output(), stop() }` once
 * Next.js says where it listens.
 */
async function startNext(app, env) {
  const child = spawn(process.execPath, [nextBin(app), 'dev', '--port', '0', '--hostname', '127.0.0.1'], {
    cwd: app,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', PAYSIGN_NOW: '1795190410', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const server = { child, log: '' };
  servers.add(server);
  child.stdout.on('data', (chunk) => (server.log += chunk));
  child.stderr.on('data', (chunk) => (server.log += chunk));
  const base = await waitFor(() => server.log.match(/Local:\s+(http:\/\/127\.0\.0\.1:\d+)/)?.[1] ?? (child.exitCode !== null && 'exited'), {
    timeoutMs: 60_000,
    what: 'next dev to listen',
  });
  assert.notEqual(base, 'exited', `next dev exited:\n${server.log}`);
  server.url = `${base}/paysign/notify`;
  server.output = () => server.log;
  server.stop = async () => {
    servers.delete(server);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-child.pid, 'SIGTERM');
    const timer = setTimeout(() => process.kill(-child.pid, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return server;
}

/**
 * Waits until the server's output matches `pattern`: Next.js may write a request's log line
 * after its response is on the wire, so the log is a condition to wait for, not to read at once.
 */
async function logged(server, pattern) {
  await waitFor(() => pattern.test(server.output()), { timeoutMs: 10_000, what: `the log line ${pattern}` }).catch(() => {});
  assert.match(server.output(), pattern);
}

/** Bookings in a bookings file (one line each), by notify_id. */
function bookings(file, notifyId) {
  if (!fs.existsSync(file)) return 0;
  return fs.readFileSync(file, 'utf8').split('\n').filter((line) => line.startsWith(`${notifyId} `)).length;
}

describe('paysign/frameworks in a Next.js App Router route (examples/next-merchant, next dev)', () => {
  let installed;
  let server;

  before(() => {
    installed = installedCopy();
  });

  // A failed test must not leave its server running: the next `next dev` in the same app
  // would meet it.
  afterEach(async () => {
    await server?.stop();
  });

  after(async () => {
    await server?.stop();
    if (installed) fs.rmSync(installed.dir, { recursive: true, force: true });
  });

  it('form: a failing booking is answered with a retry and the retry booked once; replays, forgeries and oversized bodies never reach it', { timeout: 180_000 }, async () => {
    const books = path.join(installed.dir, 'books-form'); // missing at first: the booking fails
    const file = path.join(books, 'bookings.log');
    server = await startNext(installed.app, { PAYSIGN_BOOKINGS_FILE: file });
    const form = vectors.notify_paysign_form;
    // The first request also compiles the route: no time limit but the suite's.
    assert.deepEqual(await post(server.url, form), RETRY, server.output());
    await logged(server, /notification N20261121000000000001 not booked \(ENOENT\)/);
    fs.mkdirSync(books);
    assert.deepEqual(await post(server.url, form), SUCCESS);
    assert.deepEqual(await post(server.url, form), SUCCESS, 'the replay');
    assert.deepEqual(await post(server.url, vectors.fail_notify_tampered_amount), REFUSAL);
    assert.deepEqual(await postOversized(server.url, MAX_BODY_BYTES + 1), REFUSAL);
    assert.equal(bookings(file, 'N20261121000000000001'), 1);
    assert.equal(fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length, 1, 'nothing else was booked');
    await logged(server, /not booked \(SIGNATURE_MISMATCH\)/);
    await logged(server, /not booked \(BODY_TOO_LARGE\)/);
    await server.stop();
  });

  it('JSON: booked once, the replay acknowledged and not booked', { timeout: 180_000 }, async () => {
    const file = path.join(installed.dir, 'bookings-json.log');
    server = await startNext(installed.app, { PAYSIGN_BOOKINGS_FILE: file });
    const json = vectors.notify_paysign_json_refund;
    assert.deepEqual(await post(server.url, json), SUCCESS, server.output());
    assert.deepEqual(await post(server.url, json), SUCCESS, 'the replay');
    assert.deepEqual(fs.readFileSync(file, 'utf8'), 'N20261121000000000001 M20261120000001 REFUNDED 6754\n');
    await server.stop();
  });

  it("Alipay's GBK form: while a booking waits, a second copy is told to retry; then booked once", { timeout: 180_000 }, async () => {
    // The bookings file is a named pipe: the booking's write waits until the test reads it.
    const file = path.join(installed.dir, 'bookings-alipay.fifo');
    execFileSync('mkfifo', [file]);
    const gbk = vectors.notify_alipay_form_gbk;
    server = await startNext(installed.app, { PAYSIGN_PROFILE: 'alipay', PAYSIGN_APP_ID: gbk.request.app_id, PAYSIGN_BOOKINGS_FILE: file });
    const first = post(server.url, gbk);
    await waitFor(() => server.output().includes('booking 6823789339978248'), { timeoutMs: 60_000, what: 'the first copy to reach the booking' });
    assert.deepEqual(await post(server.url, gbk), RETRY, 'the copy that meets the booking');
    await logged(server, /not booked \(NOTIFICATION_IN_PROGRESS\)/);
    const booked = fs.promises.readFile(file, 'utf8'); // lets the booking write, and end
    assert.deepEqual(await first, SUCCESS);
    assert.equal(await booked, '2026112100222000001000000000001 6823789339978248 SUCCESS 6754\n');
    assert.deepEqual(await post(server.url, gbk), SUCCESS, 'the replay (not booked: the pipe has no reader now)');
    assert.equal(server.output().match(/booking 6823789339978248/g).length, 1);
    await server.stop();
  });
});

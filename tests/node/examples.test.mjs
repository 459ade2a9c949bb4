// The runnable examples keep running: examples/node-channel prints a signed order.create
// form body that verifies (checked here independently); examples/node-merchant verifies,
// books once and acknowledges notifications over real HTTP; examples/web is driven by
// tests/browser/.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { NotificationVerifier, canonicalize } from 'paysign';
import { Orders, startServer } from '../../examples/node-merchant/server.mjs';
import { merchantPublicPem, readBytes, readText, root } from './vectors.mjs';

describe('examples/node-channel', () => {
  it('prints a signed order.create form body, built by buildRequest, that verifies with node:crypto', () => {
    const out = execFileSync(process.execPath, [path.join(root, 'examples/node-channel/sign-order.mjs')], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const lines = out.split('\n');
    assert.match(lines[0], /^POST \/gateway\/v1\/order\.create /);
    const form = new URLSearchParams(lines[1]);
    assert.deepEqual([...form.keys()], ['app_id', 'method', 'version', 'timestamp', 'nonce', 'out_trade_no', 'item_id', 'bill_no', 'total_amount', 'notify_url', 'subject', 'sign_type', 'sign']);
    assert.equal(form.get('method'), 'order.create');
    assert.equal(form.get('total_amount'), '1959');
    assert.equal(form.get('sign_type'), 'RSA2');
    assert.match(form.get('nonce'), /^[0-9a-f]{32}$/);
    assert.ok(lines.includes(`nonce the response must echo: ${form.get('nonce')}`));
    const canonical = canonicalize(form);
    assert.ok(lines.includes(`canonical string signed: ${canonical}`));
    const ok = crypto.verify('sha256', Buffer.from(canonical), crypto.createPublicKey(merchantPublicPem), Buffer.from(form.get('sign'), 'base64'));
    assert.ok(ok, 'the signature verifies');
    assert.match(out, /centre verifies: \{ valid: true, signType: 'RSA2' \}/);
  });
});

describe('examples/node-merchant (node:http on 127.0.0.1:0)', () => {
  const now = 1795190410; // the vectors' clock
  const gatewayPublic = readText('keys/gateway_public_spki.pem');
  const orders = new Orders();
  const logged = [];
  let failNextBooking = false;
  let server;

  before(async () => {
    const verifier = new NotificationVerifier({ publicKey: gatewayPublic, accept: ['RSA2'], appId: '2026000000000001' });
    const book = async (n) => {
      if (failNextBooking) {
        failNextBooking = false;
        // A slow write that fails: copies arriving meanwhile must not be acknowledged.
        await new Promise((resolve) => setTimeout(resolve, 100));
        throw new Error('database unavailable');
      }
      orders.book(n);
    };
    server = await startServer({ port: 0, verifier, book, now: () => now, onError: (error) => logged.push(error) });
  });

  after(async () => {
    await server?.close();
  });

  async function post(vector, contentType) {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': contentType ?? JSON.parse(readText(`${vector}/request.json`)).content_type },
      body: readBytes(`${vector}/body.bin`),
    });
    return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
  }

  it('a booking that fails is answered `fail`, and so is a copy that arrived meanwhile: nothing is lost', async () => {
    failNextBooking = true;
    const first = post('notify_paysign_form');
    await new Promise((resolve) => setTimeout(resolve, 30));
    const copy = await post('notify_paysign_form');
    const fail = { status: 200, type: 'text/plain; charset=utf-8', body: 'fail' };
    assert.deepEqual(copy, fail);
    assert.deepEqual(await first, fail);
    assert.equal(orders.booked.length, 0);
    assert.equal(logged.at(-2).code, 'NOTIFICATION_IN_PROGRESS');
    assert.match(logged.at(-2).message, /notification "N20261121000000000001" is being handled by another delivery/);
    assert.equal(logged.at(-1).message, 'database unavailable');
  });

  it('a signed notification is booked once and acknowledged with `success`', async () => {
    assert.deepEqual(await post('notify_paysign_form'), { status: 200, type: 'text/plain; charset=utf-8', body: 'success' });
    assert.equal(orders.booked.length, 1);
    const [n] = orders.booked;
    assert.equal(n.outTradeNo, 'M20261120000001');
    assert.equal(n.totalAmount, 6754);
    assert.equal(n.status, 'SUCCESS');
  });

  it('every retry is acknowledged again and never booked twice', async () => {
    for (let i = 0; i < 3; i++) {
      assert.equal((await post('notify_paysign_form')).body, 'success');
    }
    // The same notification sent as sniffed form or re-sent: still one booking.
    assert.equal((await post('notify_paysign_form_sniffed', 'application/x-www-form-urlencoded')).body, 'success');
    assert.equal(orders.booked.length, 1);
  });

  it('forged, altered and malformed notifications are refused and not booked', async () => {
    for (const [vector, code] of [
      ['fail_notify_tampered_amount', 'SIGNATURE_MISMATCH'],
      ['fail_notify_downgrade_to_md5', 'SIGN_TYPE_NOT_ALLOWED'],
      ['fail_notify_missing_sign', 'SIGNATURE_MISSING'],
      ['fail_notify_duplicate_key', 'PARAM_DUPLICATE'],
      ['fail_notify_double_encoded', 'SIGNATURE_MISMATCH'],
    ]) {
      const response = await post(vector);
      // Refused: 400 with the gateway's failure body; the code is in the merchant's log.
      assert.deepEqual([response.status, response.body], [400, 'fail'], vector);
      assert.equal(logged.at(-1).code, code, vector);
    }
    assert.equal(orders.booked.length, 1);
  });

  it('anything but POST /paysign/notify is 404', async () => {
    const response = await fetch(server.url.replace('/paysign/notify', '/'), { method: 'GET' });
    assert.equal(response.status, 404);
    await response.text();
  });
});

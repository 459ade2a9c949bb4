// The Node merchant example, on the wasm package, against the real mock gateway
// (`paysign gateway`, the binary `cargo test` builds): register → approve → order → pay
// (success, failure, unknown then success) → notifications verified and booked once → ack.
//
// Run with: cargo build -p paysign-cli && make wasm && npm ci && node --test tests/node/gateway-e2e.test.mjs
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { NotificationVerifier, Signer, buildRequest } from 'paysign';
import { Orders, startServer } from '../../examples/node-merchant/server.mjs';
import { startGateway } from './gateway.mjs';
import { readText, root } from './vectors.mjs';

const START = 1795140000; // 2026-11-20T10:00:00+08:00 on the gateway's manual clock

describe('the Node merchant example against the mock gateway', () => {
  let gateway;
  let merchant;
  let orders;
  let verifier;
  let signer;
  let appId;
  let now = START;

  const admin = (method, route, body) => gateway.admin(method, route, body);
  const advance = async (secs) => {
    await admin('POST', 'clock', { advance_secs: secs });
    now += secs;
  };
  const call = async (method, fields) => {
    const request = buildRequest(method, fields, { appId, signer, timestamp: now });
    const response = await fetch(`${gateway.base}${request.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: request.toForm(),
    });
    const verified = verifier.verifyResponse(Buffer.from(await response.arrayBuffer()), {
      requestNonce: request.nonce,
      contentType: response.headers.get('content-type') ?? undefined,
      now,
    });
    assert.equal(verified.code, 'SUCCESS', `${method}: ${verified.code} ${verified.message}`);
    return verified.params;
  };
  const order = async (n, billNo, totalAmount) => {
    await call('order.create', {
      outTradeNo: `M2026112000000${n}`, itemId: 'SH-WATER-01', billNo, totalAmount, notifyUrl: merchant.url,
    });
    return (await call('order.pay', { outTradeNo: `M2026112000000${n}` })).status;
  };

  before(async () => {
    gateway = await startGateway({
      start: START,
      args: ['--gateway-key', path.join(root, 'tests/vectors/keys/gateway_private_pkcs8.pem')],
    });
    orders = new Orders();
    // The endpoint verifies with a verifier configured after approval (the gateway's key).
    merchant = await startServer({
      verifier: { handle: (...a) => verifier.handle(...a), acknowledge: (ok, r) => verifier.acknowledge(ok, r), acknowledgeError: (e) => verifier.acknowledgeError(e) },
      book: (n) => orders.book(n),
      now: () => now,
      onError: () => {},
    });
    signer = new Signer({ profile: 'paysign', signType: 'RSA2', privateKey: readText('keys/merchant_private_pkcs8.pem') });
    ({ app_id: appId } = await admin('POST', 'merchants', {
      name: 'node merchant', notify_url: merchant.url, public_key: readText('keys/merchant_public_spki.pem'),
    }));
    const approved = await admin('POST', `merchants/${appId}/approve`);
    verifier = new NotificationVerifier({
      profile: 'paysign', publicKey: approved.gateway_public_key, accept: ['RSA2'], appId,
    });
  });

  after(async () => {
    await merchant?.close();
    await gateway?.stop();
  });

  it('pays a bill and books its notification once', async () => {
    assert.equal(await order(1, 'SHW2026110042', 6754), 'SUCCESS');
    await advance(0);
    const booked = orders.booked.filter((n) => n.outTradeNo === 'M20261120000001');
    assert.deepEqual(booked.map((n) => [n.status, n.totalAmount, n.duplicate]), [['SUCCESS', 6754, false]]);
  });

  it('books a failed payment as FAIL', async () => {
    assert.equal(await order(2, 'SHW2026110081', 12097), 'FAIL');
    await advance(0);
    assert.deepEqual(orders.booked.filter((n) => n.outTradeNo === 'M20261120000002').map((n) => n.status), ['FAIL']);
  });

  it('an uncertain payment is polled to success and notified then', async () => {
    assert.equal(await order(3, 'SHW2026110085', 12645), 'PROCESSING');
    for (let i = 0; i < 3; i += 1) await advance(10);
    assert.deepEqual(orders.booked.filter((n) => n.outTradeNo === 'M20261120000003').map((n) => n.status), ['SUCCESS']);
    // Every event was acknowledged: nothing left to retry.
    const log = await admin('GET', `notifications?app_id=${appId}`);
    const events = log.notifications;
    assert.equal(events.length, 3, JSON.stringify(log).slice(0, 300));
    for (const event of events) assert.equal(event.state, 'DELIVERED', JSON.stringify(event).slice(0, 300));
  });
});

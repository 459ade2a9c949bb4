// sdk-wasm/js/api/header-request.mjs: the values of a header-signed request, checked and
// defaulted as the profile's data (the core's `requestValues`) asks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { authorizationOf, requestValues } from '../../../sdk-wasm/js/api/header-request.mjs';

// What the core's WasmSigner.requestValues says for these profiles.
const WECHAT_V3 = ['method', 'required', 'url', 'required', 'timestamp', 'required', 'nonce', 'generated'];
const WEBHOOKS = ['id', 'required', 'timestamp', 'required'];

const noNonce = () => assert.fail('no nonce drawn');

describe('requestValues', () => {
  it('wechat-v3: body defaults to empty, timestamp to the clock, the nonce is drawn', () => {
    const before = Math.floor(Date.now() / 1000);
    const r = requestValues({ method: 'GET', url: '/v3/certificates' }, WECHAT_V3, 'requestHeaders', false, () => 'N0NCE');
    assert.deepEqual(Object.keys(r).sort(), ['body', 'method', 'nonce', 'timestamp', 'url']);
    assert.equal(r.body, '');
    assert.equal(r.nonce, 'N0NCE');
    assert.ok(r.timestamp >= before && r.timestamp <= Math.floor(Date.now() / 1000));
  });

  it('given values are kept; a given nonce is not drawn', () => {
    const request = { method: 'POST', url: '/v3/pay', body: '{}', timestamp: 1795190410, nonce: 'mine' };
    assert.deepEqual(requestValues(request, WECHAT_V3, 'requestHeaders', false, noNonce), request);
  });

  it('standard-webhooks takes no nonce: one given is an unknown option', () => {
    assert.deepEqual(requestValues({ id: 'msg_1', timestamp: 1 }, WEBHOOKS, 'webhookHeaders', false, noNonce), {
      id: 'msg_1', timestamp: 1, body: '',
    });
    assert.throws(() => requestValues({ id: 'msg_1', nonce: 'n' }, WEBHOOKS, 'webhookHeaders', false, noNonce), {
      message: 'webhookHeaders: unknown option "nonce" (expected one of id, timestamp, body)',
    });
  });

  it('a required value missing is named, with what to pass', () => {
    assert.throws(() => requestValues({ method: 'GET' }, WECHAT_V3, 'authorization', false, noNonce), {
      name: 'TypeError',
      message: "authorization: url is required (the path and query exactly as sent, e.g. '/v3/pay/transactions/jsapi')",
    });
    assert.throws(() => requestValues({ body: 'x' }, WEBHOOKS, 'webhookHeaders', false, noNonce), {
      message: 'webhookHeaders: id is required (the message id, sent as webhook-id; retries keep it)',
    });
  });

  it('exact (the string to sign of a request already made): every value must be given', () => {
    assert.throws(() => requestValues({ method: 'GET', url: '/', timestamp: 1 }, WECHAT_V3, 'stringToSign', true, noNonce), {
      message: 'stringToSign: nonce is required (the nonce the request carries)',
    });
    assert.throws(() => requestValues({ id: 'm' }, WEBHOOKS, 'stringToSign', true, noNonce), {
      message: 'stringToSign: timestamp is required (the Unix seconds the request carries)',
    });
  });

  it('JavaScript types', () => {
    assert.throws(() => requestValues(null, WEBHOOKS, 'webhookHeaders', false, noNonce), { message: 'webhookHeaders needs an object: { id, timestamp, body }' });
    assert.throws(() => requestValues({ id: 'm', timestamp: 1.5 }, WEBHOOKS, 'webhookHeaders', false, noNonce), {
      message: 'webhookHeaders: timestamp must be whole Unix seconds, e.g. Math.floor(Date.now() / 1000) (got 1.5)',
    });
    assert.throws(() => requestValues({ id: 7 }, WEBHOOKS, 'webhookHeaders', false, noNonce), {
      message: /^webhookHeaders: id must be a string \(got number\)/,
    });
  });
});

describe('authorizationOf', () => {
  it('the Authorization header and what it carries', () => {
    assert.deepEqual(authorizationOf({ headers: { Authorization: 'WECHATPAY2-SHA256-RSA2048 x' }, timestamp: 1, nonce: 'n' }), {
      authorization: 'WECHATPAY2-SHA256-RSA2048 x', timestamp: 1, nonce: 'n',
    });
  });
});

// Gateway request builders (docs/protocol.md §2, §6, §7): every method builds a signed
// request whose form, JSON and query renderings carry the same verified parameters; each
// invalid field fails with the core's code; amounts are fen numbers or parseYuan() text.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { PaysignError, Signer, Verifier, buildRequest, buildRequestAsync, formatYuan, parseYuan } from 'paysign';
import { merchantPrivatePem, merchantPublicPem, secret } from './vectors.mjs';

const signer = new Signer({ privateKey: merchantPrivatePem });
const centre = new Verifier({ publicKey: merchantPublicPem, message: 'request' });
const envelope = { appId: '2026000000000001', signer, timestamp: 1795190400, nonce: 'a1b2c3d4e5f60718293a4b5c6d7e8f90' };

const order = {
  outTradeNo: 'M20261120000001',
  itemId: 'SH-WATER-01',
  billNo: 'SHW2026110042',
  totalAmount: 6754,
  notifyUrl: 'https://merchant.example/paysign/notify',
};

const methods = {
  'bill.items.list': [{ regionCode: '310000' }, { region_code: '310000' }],
  'bill.query': [{ itemId: 'SH-WATER-01', billNo: 'SHW2026110042' }, { item_id: 'SH-WATER-01', bill_no: 'SHW2026110042' }],
  'order.create': [
    { ...order, subject: '上海自来水 11月', passbackParams: 'a=1&b=2' },
    { out_trade_no: 'M20261120000001', item_id: 'SH-WATER-01', bill_no: 'SHW2026110042', total_amount: '6754', notify_url: order.notifyUrl, subject: '上海自来水 11月', passback_params: 'a=1&b=2' },
  ],
  'order.pay': [{ outTradeNo: 'M20261120000001', payMethod: 'BANK_CARD' }, { out_trade_no: 'M20261120000001', pay_method: 'BANK_CARD' }],
  'order.query': [{ tradeNo: 'T20261120000000000042' }, { trade_no: 'T20261120000000000042' }],
  'order.reverse': [{ outTradeNo: 'M20261120000001' }, { out_trade_no: 'M20261120000001' }],
  'order.refund': [
    { outTradeNo: 'M20261120000001', outRefundNo: 'R20261121000001', refundAmount: 1000, refundReason: '用户申请' },
    { out_trade_no: 'M20261120000001', out_refund_no: 'R20261121000001', refund_amount: '1000', refund_reason: '用户申请' },
  ],
  'statement.download': [{ billDate: '2026-11-20', type: 'FUND' }, { bill_date: '2026-11-20', type: 'FUND' }],
};

function codeOf(fn) {
  try {
    fn();
  } catch (e) {
    if (e instanceof PaysignError) return e.code;
    return `${e.name}: ${e.message}`;
  }
  return 'NO ERROR';
}

describe('buildRequest: every gateway method', () => {
  for (const [method, [fields, wire]] of Object.entries(methods)) {
    it(`${method}: envelope + fields, signed, rendered three ways`, () => {
      const request = buildRequest(method, fields, envelope);
      assert.equal(request.method, method);
      assert.equal(request.path, `/gateway/v1/${method}`);
      assert.equal(request.nonce, envelope.nonce);
      assert.deepEqual(Object.keys(request.params), ['app_id', 'method', 'version', 'timestamp', 'nonce', ...Object.keys(wire), 'sign_type', 'sign']);
      assert.deepEqual(request.params, {
        app_id: '2026000000000001',
        method,
        version: '1.0',
        timestamp: '1795190400',
        nonce: envelope.nonce,
        ...wire,
        sign_type: 'RSA2',
        sign: request.params.sign,
      });
      // The receiving side verifies each rendering.
      assert.deepEqual(centre.verify(new URLSearchParams(request.toForm())), { valid: true, signType: 'RSA2' });
      assert.deepEqual(centre.verify(new URLSearchParams(request.toQuery())), { valid: true, signType: 'RSA2' });
      assert.deepEqual(centre.verify(JSON.parse(request.toJson())), { valid: true, signType: 'RSA2' });
      // docs/protocol.md §1: every byte outside A-Z a-z 0-9 - . _ ~ as %XX (space as %20).
      assert.deepEqual(Object.fromEntries(new URLSearchParams(request.toForm())), { ...request.params });
      assert.match(request.toForm(), /^[A-Za-z0-9\-._~%&=]*$/);
      assert.ok(Object.isFrozen(request) && Object.isFrozen(request.params));
    });
  }

  it('every provider (and buildRequestAsync) signs identically: PKCS#1 v1.5 is deterministic', async () => {
    const signatures = new Set();
    for (const provider of ['wasm', 'node', 'auto']) {
      const s = new Signer({ privateKey: merchantPrivatePem, provider });
      signatures.add(buildRequest('order.create', order, { ...envelope, signer: s }).params.sign);
      signatures.add((await buildRequestAsync('order.create', order, { ...envelope, signer: s })).params.sign);
    }
    const web = new Signer({ privateKey: merchantPrivatePem, provider: 'webcrypto' });
    signatures.add((await buildRequestAsync('order.create', order, { ...envelope, signer: web })).params.sign);
    assert.equal(signatures.size, 1);
    assert.throws(() => buildRequest('order.create', order, { ...envelope, signer: web }), /asynchronous/);
  });

  it('a digest signer works too (HMAC-SHA256)', () => {
    const hmac = new Signer({ secret: secret('secret'), signType: 'HMAC-SHA256' });
    const request = buildRequest('order.query', { outTradeNo: 'M20261120000001' }, { ...envelope, signer: hmac });
    assert.equal(request.params.sign_type, 'HMAC-SHA256');
    assert.match(request.params.sign, /^[0-9A-F]{64}$/);
  });

  it('the nonce is 32 random hex characters unless given; the timestamp is the clock unless given', () => {
    const before = Math.floor(Date.now() / 1000);
    const a = buildRequest('order.query', { outTradeNo: 'M20261120000001' }, { appId: '2026000000000001', signer });
    const b = buildRequest('order.query', { outTradeNo: 'M20261120000001' }, { appId: '2026000000000001', signer });
    assert.match(a.nonce, /^[0-9a-f]{32}$/);
    assert.notEqual(a.nonce, b.nonce);
    const ts = Number(a.params.timestamp);
    assert.ok(ts >= before && ts <= before + 5);
  });

  it('text is percent-encoded once in the form body and kept as is in JSON', () => {
    const request = buildRequest('order.create', { ...order, subject: 'a b&c=d 水' }, envelope);
    assert.match(request.toForm(), /subject=a%20b%26c%3Dd%20%E6%B0%B4/);
    assert.equal(JSON.parse(request.toJson()).subject, 'a b&c=d 水');
  });
});

describe('buildRequest: each invalid field has the core code', () => {
  const create = (change) => () => buildRequest('order.create', { ...order, ...change }, envelope);
  const cases = [
    ['FIELD_INVALID', create({ outTradeNo: 'M1' })],
    ['FIELD_INVALID', create({ outTradeNo: 'M2026112000000!' })],
    ['FIELD_MISSING', create({ outTradeNo: undefined })],
    ['FIELD_MISSING', create({ outTradeNo: '' })],
    ['FIELD_INVALID', create({ itemId: 'sh-water-01' })],
    ['FIELD_MISSING', create({ billNo: undefined })],
    ['FIELD_INVALID', create({ billNo: 'B'.repeat(33) })],
    ['AMOUNT_INVALID', create({ totalAmount: 0 })],
    ['AMOUNT_INVALID', create({ totalAmount: -1 })],
    ['AMOUNT_INVALID', create({ totalAmount: 19.59 })],
    ['AMOUNT_INVALID', create({ totalAmount: 5_000_001 })],
    ['AMOUNT_INVALID', create({ totalAmount: 2 ** 60 })],
    ['AMOUNT_INVALID', create({ totalAmount: Number.NaN })],
    ['FIELD_MISSING', create({ totalAmount: undefined })],
    ['FIELD_INVALID', create({ notifyUrl: 'ftp://merchant.example/notify' })],
    ['FIELD_INVALID', create({ notifyUrl: 'https://user@merchant.example/notify' })],
    ['FIELD_INVALID', create({ notifyUrl: 'https://merchant.example/notify#x' })],
    ['FIELD_MISSING', create({ notifyUrl: '' })],
    ['FIELD_INVALID', create({ subject: 'x'.repeat(129) })],
    ['FIELD_INVALID', create({ subject: 'line\nbreak' })],
    ['FIELD_INVALID', create({ passbackParams: 'x'.repeat(513) })],
    ['FIELD_INVALID', () => buildRequest('order.pay', { outTradeNo: 'M20261120000001', payMethod: 'CASH' }, envelope)],
    ['FIELD_INVALID', () => buildRequest('order.pay', { outTradeNo: 'M20261120000001', tradeNo: 'T1' }, envelope)],
    ['FIELD_MISSING', () => buildRequest('order.query', {}, envelope)],
    ['FIELD_INVALID', () => buildRequest('order.reverse', { tradeNo: 'T'.repeat(65) }, envelope)],
    ['FIELD_INVALID', () => buildRequest('order.refund', { outTradeNo: 'M20261120000001', outRefundNo: 'R1', refundAmount: 100 }, envelope)],
    ['AMOUNT_INVALID', () => buildRequest('order.refund', { outTradeNo: 'M20261120000001', outRefundNo: 'R20261121000001', refundAmount: 0 }, envelope)],
    ['FIELD_INVALID', () => buildRequest('bill.items.list', { regionCode: '31000' }, envelope)],
    ['FIELD_INVALID', () => buildRequest('bill.query', { itemId: 'SH WATER', billNo: 'B1' }, envelope)],
    ['FIELD_INVALID', () => buildRequest('statement.download', { billDate: '2026/11/20', type: 'FUND' }, envelope)],
    ['FIELD_INVALID', () => buildRequest('statement.download', { billDate: '2026-11-20', type: 'DAILY' }, envelope)],
    ['FIELD_MISSING', () => buildRequest('statement.download', { billDate: '2026-11-20' }, envelope)],
    ['FIELD_INVALID', () => buildRequest('order.cancel', {}, envelope)],
    ['FIELD_MISSING', () => buildRequest('order.query', { outTradeNo: 'M20261120000001' }, { ...envelope, appId: '' })],
    ['FIELD_INVALID', () => buildRequest('order.query', { outTradeNo: 'M20261120000001' }, { ...envelope, nonce: 'short' })],
    ['TIMESTAMP_INVALID', () => buildRequest('order.query', { outTradeNo: 'M20261120000001' }, { ...envelope, timestamp: 0 })],
  ];
  for (const [code, fn] of cases) {
    it(`${code}: ${fn.toString().slice(6, 110)}`, () => {
      assert.equal(codeOf(fn), code);
    });
  }

  const typeErrors = [
    ['amount as yuan text', create({ totalAmount: '67.54' })],
    ['a field of the wrong type', create({ billNo: 42 })],
    ['a misspelt field', create({ totalAmmount: 6754 })],
    ['a wire name instead of camelCase', create({ total_amount: 6754 })],
    ['fields not an object', () => buildRequest('order.create', 'out_trade_no=M1', envelope)],
    ['method not a string', () => buildRequest(42, order, envelope)],
    ['no options', () => buildRequest('order.create', order)],
    ['no signer', () => buildRequest('order.create', order, { appId: '2026000000000001' })],
    ['signer is not a Signer', () => buildRequest('order.create', order, { appId: '2026000000000001', signer: { signParams: (p) => p } })],
    ['no appId', () => buildRequest('order.create', order, { signer })],
    ['a misspelt option', () => buildRequest('order.create', order, { ...envelope, appID: 'x' })],
    ['timestamp as text', () => buildRequest('order.create', order, { ...envelope, timestamp: '1795190400' })],
  ];
  for (const [label, fn] of typeErrors) {
    it(`TypeError: ${label}`, () => {
      assert.throws(fn, TypeError);
    });
  }
});

describe('parseYuan / formatYuan', () => {
  it('yuan text to fen exactly, and back', () => {
    for (const [text, fen] of [
      ['12.34', 1234],
      ['12.3', 1230],
      ['12', 1200],
      ['0.01', 1],
      ['0', 0],
      ['0.1', 10],
      ['19.99', 1999],
      ['90071992547409.91', Number.MAX_SAFE_INTEGER],
    ]) {
      assert.equal(parseYuan(text), fen, text);
    }
    assert.equal(parseYuan('0.1') + parseYuan('0.2'), parseYuan('0.3'), 'no floating-point drift');
    assert.equal(formatYuan(1234), '12.34');
    assert.equal(formatYuan(5), '0.05');
    assert.equal(formatYuan(0), '0.00');
    assert.equal(formatYuan(Number.MAX_SAFE_INTEGER), '90071992547409.91');
  });

  it('refuses what is not exact money text with AMOUNT_INVALID', () => {
    for (const bad of ['1.234', '1e3', '-1', '+1', ' 1', '1.', '.5', '01.00', '', '1,000.00', '¥1', '90071992547409.92', '99999999999999999999']) {
      assert.equal(codeOf(() => parseYuan(bad)), 'AMOUNT_INVALID', JSON.stringify(bad));
    }
    for (const bad of [1.5, -1, Number.NaN, 2 ** 53]) {
      assert.equal(codeOf(() => formatYuan(bad)), 'AMOUNT_INVALID', String(bad));
    }
    assert.throws(() => parseYuan(12.34), TypeError);
    assert.throws(() => formatYuan('1234'), TypeError);
  });

  it('parseYuan feeds the builders', () => {
    const request = buildRequest('order.create', { ...order, totalAmount: parseYuan('67.54') }, envelope);
    assert.equal(request.params.total_amount, '6754');
  });
});

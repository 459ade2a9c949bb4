// The wasm boundary (issue 9): every export of the package, and every method of its
// classes, called with wrong types, `undefined`, huge values (2 MiB), or after free(),
// throws a PaysignError or a TypeError — never a RangeError, a wasm RuntimeError, a plain
// Error or a crash — and the module stays usable: a valid call right after each one works.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  NotificationVerifier,
  PaysignError,
  Signer,
  Verifier,
  buildRequest,
  buildRequestAsync,
  canonicalize,
  explain,
  formatYuan,
  generateKeyPair,
  generateKeyPairAsync,
  parseYuan,
  reconcile,
  sign,
  signAsync,
  verify,
  verifyAsync,
} from 'paysign';
import { merchantPrivatePem, merchantPublicPem, readBytes, readText, secret, signCases, signedPairs } from './vectors.mjs';

const MiB2 = 2 * 1024 * 1024;
const huge = 'x'.repeat(MiB2);
const hugeBytes = new Uint8Array(MiB2).fill(0x41);
const md5 = signCases().find((c) => c.name === 'sign_paysign_md5_request');
const testSecret = secret('secret');
const gatewayPublic = readText('keys/gateway_public_spki.pem');
const notifyBody = readBytes('notify_paysign_form/body.bin');
const notifyCall = { now: 1795190410 };
const statement =
  'bill_date,trade_no,out_trade_no,bill_no,item_id,trade_type,trade_status,total_amount,refund_amount,fee,trade_time\n' +
  '2026-11-20,T1,M20261120000001,B1,SH-WATER-01,PAY,SUCCESS,6754,0,7,2026-11-20T10:00:05+08:00\n' +
  '#summary,rows=1,total_in=6754,total_out=0\n';
const gatewayResponse = new URLSearchParams(
  new Signer({ privateKey: readText('keys/gateway_private_pkcs8.pem'), message: 'request' }).signParams({
    app_id: '2026000000000001',
    timestamp: '1795190400',
    nonce: 'n20261120',
    code: 'SUCCESS',
  }),
).toString();
const records = 'out_trade_no,amount,trade_time,trade_status,trade_no,trade_type\nM20261120000001,6754,2026-11-20T10:00:05+08:00,SUCCESS,T1,PAY\n';

/** Values of the wrong JavaScript type (and `undefined`), tried at every argument position. */
const wrongTypes = [
  ['undefined', undefined],
  ['null', null],
  ['a number', 42],
  ['NaN', Number.NaN],
  ['a boolean', true],
  ['a symbol', Symbol('x')],
  ['a bigint', 10n],
  ['an empty object', {}],
  ['an array', [1, 2]],
  ['a function', () => 'x'],
  ['a Date', new Date(0)],
  ['a Promise', Promise.resolve('x')],
];
/** Huge values: a valid call may accept them (a 2 MiB parameter value is legal). */
const hugeValues = [
  ['a 2 MiB string', huge],
  ['2 MiB of bytes', hugeBytes],
];

let live = {};
function fresh() {
  live = {
    signer: new Signer({ secret: testSecret, signType: 'MD5' }),
    rsaSigner: new Signer({ privateKey: merchantPrivatePem }),
    verifier: new Verifier({ secret: testSecret, signType: 'MD5', message: 'request' }),
    notifications: new NotificationVerifier({ publicKey: gatewayPublic }),
  };
}
fresh();

/** A valid call of each kind works: the module is still usable. */
async function stillWorks(label) {
  assert.equal(sign(md5.pairs, { secret: testSecret, signType: 'MD5' }), md5.signature, `${label}: sign after`);
  const n = new NotificationVerifier({ publicKey: gatewayPublic }).verify(notifyBody, notifyCall);
  assert.equal(n.totalAmount, 6754, `${label}: verify after`);
  assert.equal(parseYuan('12.34'), 1234, `${label}: parseYuan after`);
}

/** The kind of a value, so that a replacement of the same kind (an empty object for params) is not "wrong". */
function kind(value) {
  if (value === null || value === undefined) return 'absent';
  if (typeof value === 'string') return 'string';
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return 'bytes';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** 'ok', 'PaysignError', 'TypeError', or what else was thrown. */
async function outcome(fn) {
  try {
    const result = fn();
    if (result && typeof result.then === 'function') await result;
    return 'ok';
  } catch (e) {
    if (e instanceof PaysignError && typeof e.code === 'string') return 'PaysignError';
    if (e instanceof TypeError) return 'TypeError';
    return `UNEXPECTED ${e && e.name}: ${e && String(e.message).slice(0, 200)}`;
  }
}

const envelope = () => ({ appId: '2026000000000001', signer: live.signer, timestamp: 1795190400 });

/**
 * Every export and method: [label, call(...args), valid args, required positions, params
 * positions]. A required position must refuse a wrong type; an optional one may take
 * `undefined`; a params position takes an object or an array of pairs alike.
 */
const targets = [
  ['canonicalize', (a, b) => canonicalize(a, b), () => [{ a: '1' }, { profile: 'paysign' }], [0], [0]],
  ['sign', (a, b) => sign(a, b), () => [md5.pairs, { secret: testSecret, signType: 'MD5' }], [0, 1], [0]],
  ['signAsync', (a, b) => signAsync(a, b), () => [md5.pairs, { secret: testSecret, signType: 'MD5' }], [0, 1], [0]],
  ['verify', (a, b) => verify(a, b), () => [signedPairs(md5), { secret: testSecret, signType: 'MD5', message: 'request' }], [0, 1], [0]],
  ['verifyAsync', (a, b) => verifyAsync(a, b), () => [signedPairs(md5), { secret: testSecret, signType: 'MD5', message: 'request' }], [0, 1], [0]],
  ['new Signer', (a) => new Signer(a), () => [{ secret: testSecret, signType: 'MD5' }], [0]],
  ['Signer#canonicalize', (a) => live.signer.canonicalize(a), () => [md5.pairs], [0], [0]],
  ['Signer#sign', (a) => live.rsaSigner.sign(a), () => [md5.pairs], [0], [0]],
  ['Signer#signParams', (a) => live.rsaSigner.signParams(a), () => [md5.pairs], [0], [0]],
  ['Signer#signAsync', (a) => live.rsaSigner.signAsync(a), () => [md5.pairs], [0], [0]],
  ['Signer#signParamsAsync', (a) => live.signer.signParamsAsync(a), () => [md5.pairs], [0], [0]],
  ['new Verifier', (a) => new Verifier(a), () => [{ publicKey: merchantPublicPem }], [0]],
  ['Verifier#canonicalize', (a) => live.verifier.canonicalize(a), () => [md5.pairs], [0], [0]],
  ['Verifier#verify', (a) => live.verifier.verify(a), () => [signedPairs(md5)], [0], [0]],
  ['Verifier#verifyAsync', (a) => live.verifier.verifyAsync(a), () => [signedPairs(md5)], [0], [0]],
  ['generateKeyPair', (a) => generateKeyPair(a), () => [{ bits: 2048, provider: 'node' }], []],
  ['generateKeyPairAsync', (a) => generateKeyPairAsync(a), () => [{ bits: 2048, provider: 'node' }], []],
  ['new NotificationVerifier', (a) => new NotificationVerifier(a), () => [{ publicKey: gatewayPublic }], [0]],
  ['NotificationVerifier#verify', (a, b) => live.notifications.verify(a, b), () => [notifyBody, notifyCall], [0]],
  ['NotificationVerifier#verifyAsync', (a, b) => live.notifications.verifyAsync(a, b), () => [notifyBody, notifyCall], [0]],
  [
    'NotificationVerifier#verifyRequest',
    (a, b) => live.notifications.verifyRequest(a, b),
    () => [new Request('https://m.example/', { method: 'POST', body: notifyBody }), notifyCall],
    [0],
  ],
  ['NotificationVerifier#verifyResponse', (a, b) => live.notifications.verifyResponse(a, b), () => [gatewayResponse, { requestNonce: 'n20261120', now: 1795190410 }], [0, 1]],
  ['NotificationVerifier#verifySignature', (a, b) => live.notifications.verifySignature(a, b), () => [notifyBody, notifyCall], [0]],
  ['NotificationVerifier#handle', (a, b, c) => live.notifications.handle(a, b, c), () => [notifyBody, notifyCall, () => {}], [0, 2]],
  ['NotificationVerifier#complete', (a, b) => live.notifications.complete(a, b), () => [{ notifyId: 'N1', duplicate: true }, { now: 1795190410 }], [0]],
  ['NotificationVerifier#release', (a) => live.notifications.release(a), () => [{ notifyId: 'N1', duplicate: true }], [0]],
  ['NotificationVerifier#checkAmount', (a, b) => live.notifications.checkAmount(a, b), () => [{ notifyId: 'N1', totalAmount: 5 }, 5], [0, 1]],
  ['NotificationVerifier#acknowledge', (a, b) => live.notifications.acknowledge(a, b), () => [false, 'busy'], [0]],
  ['NotificationVerifier#acknowledgeResponse', (a, b) => live.notifications.acknowledgeResponse(a, b), () => [true, 'ok'], [0]],
  ['buildRequest', (a, b, c) => buildRequest(a, b, c), () => ['order.query', { outTradeNo: 'M20261120000001' }, envelope()], [0, 1, 2]],
  ['buildRequestAsync', (a, b, c) => buildRequestAsync(a, b, c), () => ['order.query', { outTradeNo: 'M20261120000001' }, envelope()], [0, 1, 2]],
  ['parseYuan', (a) => parseYuan(a), () => ['12.34'], [0]],
  ['formatYuan', (a) => formatYuan(a), () => [1234], [0]],
  ['reconcile', (a, b, c) => reconcile(a, b, c), () => [statement, records, { billDate: '2026-11-20' }], [0, 1, 2]],
  ['explain', (a, b) => explain(a, b), () => [notifyBody, { publicKey: gatewayPublic }], [0, 1]],
];

describe('the wasm boundary: wrong types, undefined, huge values, freed objects', () => {
  it('each target works with its valid arguments (the baseline)', async () => {
    for (const [label, call, args] of targets) {
      fresh();
      assert.equal(await outcome(() => call(...args())), 'ok', label);
    }
  });

  for (const [label, call, args, required, params = []] of targets) {
    it(`${label}: each argument replaced by each wrong type or huge value`, async () => {
      const seen = [];
      const count = args().length;
      for (let position = 0; position < count; position++) {
        for (const [name, value] of [...wrongTypes, ...hugeValues]) {
          const valid = args()[position];
          const same = kind(value) === kind(valid) || (params.includes(position) && ['object', 'array'].includes(kind(value)));
          if (same && !hugeValues.some(([n]) => n === name)) continue;
          fresh();
          const a = args();
          a[position] = value;
          const result = await outcome(() => call(...a));
          const isHuge = hugeValues.some(([n]) => n === name);
          const optional = !required.includes(position) && (name === 'undefined' || name === 'null');
          const allowed = isHuge || optional ? ['ok', 'PaysignError', 'TypeError'] : ['PaysignError', 'TypeError'];
          assert.ok(allowed.includes(result), `${label}(argument ${position} = ${name}): ${result}`);
          seen.push(result);
          await stillWorks(`${label}(argument ${position} = ${name})`);
        }
      }
      assert.ok(seen.length > 0);
    });

    it(`${label}: each field of an options or params object replaced by each wrong type or huge value`, async () => {
      const count = args().length;
      for (let position = 0; position < count; position++) {
        const sample = args()[position];
        if (sample === null || typeof sample !== 'object' || ArrayBuffer.isView(sample) || sample instanceof Request) continue;
        const keys = Array.isArray(sample) ? sample.map((_, i) => i) : Object.keys(sample);
        for (const key of keys) {
          for (const [name, value] of [...wrongTypes, ...hugeValues]) {
            fresh();
            const a = args();
            a[position] = Array.isArray(a[position]) ? a[position].slice() : { ...a[position] };
            a[position][key] = value;
            const result = await outcome(() => call(...a));
            assert.ok(['ok', 'PaysignError', 'TypeError'].includes(result), `${label}(argument ${position}.${String(key)} = ${name}): ${result}`);
          }
          await stillWorks(`${label}(argument ${position}.${String(key)})`);
        }
      }
    });
  }

  it('huge inputs where a size limit applies are refused with the core code', async () => {
    const v = new NotificationVerifier({ publicKey: gatewayPublic });
    assert.throws(() => v.verify(huge, notifyCall), (e) => e.code === 'BODY_TOO_LARGE');
    assert.throws(() => v.verify(hugeBytes, notifyCall), (e) => e.code === 'BODY_TOO_LARGE');
    assert.throws(() => new Signer({ privateKey: huge }), (e) => e.code === 'KEY_INVALID');
    assert.throws(() => new NotificationVerifier({ publicKey: hugeBytes }), (e) => e.code === 'KEY_INVALID');
    assert.throws(() => canonicalize({}, { profile: huge }), (e) => e.code === 'UNSUPPORTED_PROFILE');
    assert.throws(() => parseYuan(huge), (e) => e.code === 'AMOUNT_INVALID');
    assert.throws(() => reconcile(huge, records, { billDate: '2026-11-20' }), (e) => e.code === 'BODY_MALFORMED');
    // A 2 MiB parameter value is legal: it is signed like any other.
    const signature = live.signer.sign({ a: huge });
    assert.match(signature, /^[0-9A-F]{32}$/);
    assert.equal(canonicalize({ a: huge }).length, MiB2 + 2);
    await stillWorks('huge inputs');
  });

  it('every method of a freed object throws a TypeError; the module stays usable', async () => {
    const objects = {
      Signer: [new Signer({ secret: testSecret, signType: 'MD5' }), ['canonicalize', 'sign', 'signParams', 'signAsync', 'signParamsAsync'], [md5.pairs]],
      Verifier: [new Verifier({ publicKey: merchantPublicPem, message: 'request' }), ['canonicalize', 'verify', 'verifyAsync'], [md5.pairs]],
      NotificationVerifier: [
        new NotificationVerifier({ publicKey: gatewayPublic }),
        ['verify', 'verifyAsync', 'verifyRequest', 'verifyResponse', 'handle', 'complete', 'release', 'checkAmount', 'acknowledge', 'acknowledgeError', 'acknowledgeResponse', [0]],
        [notifyBody, notifyCall],
      ],
    };
    for (const [name, [instance, methods, args]] of Object.entries(objects)) {
      instance.free();
      instance.free();
      instance[Symbol.dispose]();
      for (const method of methods) {
        assert.equal(await outcome(() => instance[method](...args)), 'TypeError', `${name}#${method} after free()`);
      }
      // A freed signer cannot sign a request either.
      if (name === 'Signer') {
        assert.equal(await outcome(() => buildRequest('order.query', { outTradeNo: 'M20261120000001' }, { appId: '1', signer: instance })), 'TypeError');
      }
      await stillWorks(`${name} after free()`);
    }
  });

  it('methods called on the wrong receiver are TypeErrors (private fields)', async () => {
    const detached = NotificationVerifier.prototype.verify;
    assert.equal(await outcome(() => detached.call({}, notifyBody, notifyCall)), 'TypeError');
    assert.equal(await outcome(() => Signer.prototype.sign.call(live.verifier, md5.pairs)), 'TypeError');
    await stillWorks('wrong receiver');
  });
});

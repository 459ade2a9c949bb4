// NotificationVerifier: every notification vector of every profile verifies to its
// expect.json (or fails with its code) through each crypto provider; fetch Requests;
// claim, complete and release (exactly once); acknowledgements; gateway responses; amounts at the
// safe-integer bound; options checking.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { NotificationVerifier, PaysignError, Signer, explain } from 'paysign';
import { asExpected, notifyCases, readBytes, readText, secret } from './vectors.mjs';

const valid = notifyCases({ failing: false });
const failing = notifyCases({ failing: true });
const gatewayPublic = readText('keys/gateway_public_spki.pem');
const gatewayPrivate = readText('keys/gateway_private_pkcs8.pem');
const paysignForm = valid.find((c) => c.name === 'notify_paysign_form');

/** Each way of running a verification: [label, provider, run(verifier, body, options)]. */
const runs = [
  ['wasm', 'wasm', (v, body, call) => v.verify(body, call)],
  ['node', 'node', (v, body, call) => v.verify(body, call)],
  ['webcrypto', 'webcrypto', (v, body, call) => v.verifyAsync(body, call)],
  ['auto (verify)', 'auto', (v, body, call) => v.verify(body, call)],
  ['auto (verifyAsync)', 'auto', (v, body, call) => v.verifyAsync(body, call)],
];

async function errorOf(promiseOrFn) {
  try {
    await promiseOrFn();
  } catch (e) {
    assert.ok(e instanceof PaysignError, `expected PaysignError, got ${e && e.name}: ${e && e.message}`);
    assert.ok(e.message.length > 10);
    return e;
  }
  return { code: 'NO ERROR', message: '' };
}

async function codeOf(promiseOrFn) {
  return (await errorOf(promiseOrFn)).code;
}

describe('NotificationVerifier: notification vectors', () => {
  it('there are vectors for every profile', () => {
    const profiles = new Set(valid.map((c) => c.request.profile));
    assert.deepEqual([...profiles].sort(), ['alipay', 'paysign', 'standard-webhooks', 'unionpay', 'wechat-v2', 'wechat-v3']);
    assert.ok(failing.length >= 40);
  });

  for (const c of valid) {
    it(`${c.name} verifies to expect.json with every provider`, async () => {
      for (const [label, provider, run] of runs) {
        const verifier = new NotificationVerifier({ ...c.options, provider });
        const n = await run(verifier, c.body, c.call);
        assert.deepEqual(asExpected(n, c.expect.notification), c.expect.notification, `${c.name} / ${label}`);
        assert.equal(n.duplicate, false);
        assert.equal(n.profile, c.request.profile);
        assert.equal(typeof n.params, 'object');
        // A copy while it is being booked: in progress (the platform will retry).
        assert.equal(await codeOf(() => run(verifier, c.body, c.call)), 'NOTIFICATION_IN_PROGRESS', `${c.name} / ${label}: in progress`);
        // Booked: the retry is acknowledged again, never booked twice.
        verifier.complete(n);
        assert.equal((await run(verifier, c.body, c.call)).duplicate, true, `${c.name} / ${label}: duplicate`);
        verifier.free();
      }
    });
  }

  for (const c of failing) {
    it(`${c.name} fails with ${c.expect.code} with every provider`, async () => {
      for (const [label, provider, run] of runs) {
        const verifier = new NotificationVerifier({ ...c.options, provider });
        const e = await errorOf(() => run(verifier, c.body, c.call));
        assert.equal(e.code, c.expect.code, `${c.name} / ${label}: ${e.message}`);
        // Where the refusal must name something (the field of a malformed body), it does.
        if (c.expect.message_contains) assert.ok(e.message.includes(c.expect.message_contains), `${c.name} / ${label}: ${e.message}`);
      }
    });
  }

  it('a body given as text, bytes, an ArrayBuffer or a DataView verifies the same', async () => {
    const text = new TextDecoder().decode(paysignForm.body);
    const forms = [text, paysignForm.body, paysignForm.body.slice().buffer, new DataView(paysignForm.body.slice().buffer), Buffer.from(paysignForm.body)];
    for (const body of forms) {
      const verifier = new NotificationVerifier(paysignForm.options);
      assert.equal(verifier.verify(body, paysignForm.call).outTradeNo, 'M20261120000001');
    }
  });
});

describe('NotificationVerifier: fetch Requests (Workers, Deno, Bun, Next.js)', () => {
  function requestOf(c) {
    const headers = new Headers(c.call.headers ?? []);
    if (c.call.contentType) headers.set('content-type', c.call.contentType);
    return new Request('https://merchant.example/paysign/notify', { method: 'POST', body: c.body, headers });
  }

  for (const name of ['notify_paysign_form', 'notify_alipay_form_gbk', 'notify_wechat_xml_md5', 'platforms/notify_wechat_v3_transaction', 'platforms/notify_standard_webhooks_published', 'platforms/notify_unionpay_01']) {
    it(`verifyRequest reads the raw body and the headers: ${name}`, async () => {
      const c = valid.find((x) => x.name === name);
      for (const provider of ['auto', 'wasm', 'webcrypto', 'node']) {
        const verifier = new NotificationVerifier({ ...c.options, provider });
        const n = await verifier.verifyRequest(requestOf(c), { now: c.call.now });
        assert.deepEqual(asExpected(n, c.expect.notification), c.expect.notification, provider);
        const response = verifier.acknowledgeResponse(true);
        assert.ok(response instanceof Response);
        assert.equal(response.status, 200);
      }
    });
  }

  it('a failing Request throws its code; a used body is a TypeError from fetch', async () => {
    const c = failing.find((x) => x.name === 'fail_notify_tampered_amount');
    const verifier = new NotificationVerifier(c.options);
    const request = requestOf(c);
    assert.equal(await codeOf(() => verifier.verifyRequest(request, { now: c.call.now })), 'SIGNATURE_MISMATCH');
    await assert.rejects(verifier.verifyRequest(request, { now: c.call.now }), TypeError);
  });

  it('takes only expectedAmount and now as options (headers come from the request)', async () => {
    const verifier = new NotificationVerifier(paysignForm.options);
    await assert.rejects(verifier.verifyRequest(requestOf(paysignForm), { headers: {} }), TypeError);
    await assert.rejects(verifier.verifyRequest({ body: 'x' }), TypeError);
    const n = await verifier.verifyRequest(requestOf(paysignForm), { now: paysignForm.call.now, expectedAmount: 6754 });
    assert.equal(n.totalAmount, 6754);
  });
});

describe('NotificationVerifier: a replayStore of your own', () => {
  /**
   * A Map standing in for a shared database, with the contract's semantics (leases that
   * expire, tokens, completed ids kept until keepUntil); `calls` records what was asked.
   */
  function mapStore({ async = true } = {}) {
    const held = new Map();
    const calls = [];
    let tokens = 0;
    const answer = (value) => (async ? Promise.resolve(value) : value);
    return {
      held,
      calls,
      claim(id, now, leaseUntil) {
        calls.push(['claim', id, now, leaseUntil]);
        const entry = held.get(id);
        if (entry !== undefined && entry.until > now) return answer(entry.token === null ? { status: 'done' } : { status: 'in-progress' });
        const token = `t${++tokens}`;
        held.set(id, { token, until: leaseUntil });
        return answer({ status: 'claimed', token });
      },
      complete(id, now, keepUntil) {
        calls.push(['complete', id, now, keepUntil]);
        held.set(id, { token: null, until: keepUntil });
        return answer(undefined);
      },
      release(id, token) {
        calls.push(['release', id, token]);
        if (held.get(id)?.token === token) held.delete(id);
        return answer(undefined);
      },
    };
  }
  const id = 'N20261121000000000001';

  for (const provider of ['wasm', 'node', 'webcrypto', 'auto']) {
    it(`claimed, in progress, released, claimed again, completed, then duplicate (provider ${provider})`, async () => {
      const store = mapStore();
      const verifier = new NotificationVerifier({ ...paysignForm.options, provider, replayStore: store });
      const at = paysignForm.call.now;
      const first = await verifier.verifyAsync(paysignForm.body, { ...paysignForm.call, now: at + 0.7 });
      assert.equal(first.duplicate, false);
      assert.equal(first.totalAmount, 6754);
      assert.equal('claim' in first, false, 'the claim token stays inside the verifier');
      // Whole seconds; the lease is the verifier's (default 120 s).
      assert.deepEqual(store.calls, [['claim', id, at, at + 120]]);
      assert.equal(await codeOf(() => verifier.verifyAsync(paysignForm.body, { ...paysignForm.call, now: at + 60 })), 'NOTIFICATION_IN_PROGRESS');
      await verifier.releaseAsync(first);
      assert.deepEqual(store.calls.at(-1), ['release', id, 't1']);
      assert.equal(store.held.has(id), false);
      const second = await verifier.verifyAsync(paysignForm.body, { ...paysignForm.call, now: at + 61 });
      assert.equal(second.duplicate, false);
      await verifier.completeAsync(second, { now: at + 62 });
      // Completed ids are kept for the 26-hour window a copy could still pass in.
      assert.deepEqual(store.calls.at(-1), ['complete', id, at + 62, at + 62 + 93600]);
      assert.equal((await verifier.verifyAsync(paysignForm.body, { ...paysignForm.call, now: at + 63 })).duplicate, true);
    });
  }

  it('instances sharing one store see each other’s notifications; verifyRequest uses it too', async () => {
    const store = mapStore();
    const a = new NotificationVerifier({ ...paysignForm.options, replayStore: store });
    const b = new NotificationVerifier({ ...paysignForm.options, replayStore: store });
    const n = await a.verifyAsync(paysignForm.body, paysignForm.call);
    assert.equal(await codeOf(() => b.verifyAsync(paysignForm.body, paysignForm.call)), 'NOTIFICATION_IN_PROGRESS');
    await a.completeAsync(n);
    assert.equal((await b.verifyAsync(paysignForm.body, paysignForm.call)).duplicate, true);
    const request = new Request('http://127.0.0.1/notify', { method: 'POST', body: paysignForm.body, headers: { 'content-type': paysignForm.call.contentType ?? 'application/x-www-form-urlencoded' } });
    assert.equal((await b.verifyRequest(request, { now: paysignForm.call.now })).duplicate, true);
  });

  it('a synchronous store works the same', async () => {
    const store = mapStore({ async: false });
    const verifier = new NotificationVerifier({ ...paysignForm.options, replayStore: store });
    const n = await verifier.verifyAsync(paysignForm.body, paysignForm.call);
    assert.equal(n.duplicate, false);
    await verifier.completeAsync(n);
    assert.equal((await verifier.verifyAsync(paysignForm.body, paysignForm.call)).duplicate, true);
  });

  it('a refused notification never reaches the store', async () => {
    const store = mapStore();
    const verifier = new NotificationVerifier({ ...paysignForm.options, replayStore: store });
    const tampered = failing.find((x) => x.name === 'fail_notify_tampered_amount');
    assert.equal(await codeOf(() => verifier.verifyAsync(tampered.body, tampered.call)), 'SIGNATURE_MISMATCH');
    assert.equal(await codeOf(() => verifier.verifyAsync(paysignForm.body, { ...paysignForm.call, expectedAmount: 1 })), 'AMOUNT_MISMATCH');
    assert.deepEqual(store.calls, []);
  });

  it("the store's failure is REPLAY_STORE_UNAVAILABLE (answer with a retry), never an accept", async () => {
    const down = new Error('database unavailable');
    const broken = { claim: async () => Promise.reject(down), complete() {}, release() {} };
    const verifier = new NotificationVerifier({ ...paysignForm.options, replayStore: broken });
    await assert.rejects(verifier.verifyAsync(paysignForm.body, paysignForm.call), (e) => e instanceof PaysignError && e.code === 'REPLAY_STORE_UNAVAILABLE' && /database unavailable/.test(e.message) && e.cause === down);
    await assert.rejects(verifier.handle(paysignForm.body, paysignForm.call, () => assert.fail('handler ran')), (e) => e.code === 'REPLAY_STORE_UNAVAILABLE');
    for (const answer of ['yes', true, { status: 'claimed' }, { status: 'claimed', token: '' }, { status: 'seen' }, null]) {
      const vague = new NotificationVerifier({ ...paysignForm.options, replayStore: { claim: async () => answer, complete() {}, release() {} } });
      await assert.rejects(vague.verifyAsync(paysignForm.body, paysignForm.call), (e) => e instanceof TypeError && /status: 'claimed', token/.test(e.message), JSON.stringify(answer));
    }
  });

  it('a store that fails to complete: handle rejects with booked: true and the notification (acknowledge success)', async () => {
    const store = mapStore();
    store.complete = async () => {
      throw new Error('connection reset');
    };
    const verifier = new NotificationVerifier({ ...paysignForm.options, replayStore: store });
    let booked = 0;
    await assert.rejects(verifier.handle(paysignForm.body, paysignForm.call, () => void booked++), (e) => e.code === 'REPLAY_STORE_UNAVAILABLE' && e.booked === true && e.notification.notifyId === id);
    assert.equal(booked, 1);
  });

  it('the synchronous methods refuse, pointing at the asynchronous ones; a malformed store is refused up front', async () => {
    const verifier = new NotificationVerifier({ ...paysignForm.options, replayStore: mapStore() });
    assert.throws(() => verifier.verify(paysignForm.body, paysignForm.call), (e) => e instanceof TypeError && /verifyAsync/.test(e.message));
    const n = await verifier.verifyAsync(paysignForm.body, paysignForm.call);
    assert.throws(() => verifier.complete(n), (e) => e instanceof TypeError && /completeAsync/.test(e.message));
    assert.throws(() => verifier.release(n), (e) => e instanceof TypeError && /releaseAsync/.test(e.message));
    const legacy = { checkAndInsert() {}, forget() {} };
    for (const replayStore of [null, 'redis', {}, legacy, { claim() {}, complete() {} }, { claim() {}, release() {} }]) {
      assert.throws(() => new NotificationVerifier({ ...paysignForm.options, replayStore }), (e) => e instanceof TypeError && /claim\(id, now, leaseUntil\)/.test(e.message), String(replayStore));
    }
  });
});

describe('NotificationVerifier: exactly once (claim, complete, release)', () => {
  const id = 'N20261121000000000001';
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  it('a booking that fails while copies arrive: the copies are in progress, the retry books it once', async () => {
    const verifier = new NotificationVerifier(paysignForm.options);
    const booked = [];
    let failNext = true;
    const book = async (n) => {
      await sleep(30);
      if (failNext) {
        failNext = false;
        throw new Error('database write failed');
      }
      booked.push(n.outTradeNo);
    };
    // The first delivery and four copies at once, as a platform may send them.
    const outcomes = await Promise.allSettled([0, 1, 2, 3, 4].map(() => verifier.handle(paysignForm.body, paysignForm.call, book)));
    const reasons = outcomes.map((o) => (o.status === 'rejected' ? o.reason.code ?? o.reason.message : 'acknowledged'));
    assert.deepEqual(reasons.sort(), ['NOTIFICATION_IN_PROGRESS', 'NOTIFICATION_IN_PROGRESS', 'NOTIFICATION_IN_PROGRESS', 'NOTIFICATION_IN_PROGRESS', 'database write failed']);
    assert.deepEqual(booked, [], 'nothing was acknowledged, so nothing is lost');
    // The platform's retry: booked now, and every later copy is a duplicate.
    const retry = await verifier.handle(paysignForm.body, paysignForm.call, book);
    assert.equal(retry.duplicate, false);
    const again = await verifier.handle(paysignForm.body, paysignForm.call, book);
    assert.equal(again.duplicate, true);
    assert.deepEqual(booked, ['M20261120000001']);
  });

  it('a crashed booking frees the id when its lease ends', () => {
    const verifier = new NotificationVerifier({ ...paysignForm.options, leaseSecs: 30 });
    assert.equal(verifier.leaseSecs, 30);
    const at = paysignForm.call.now;
    verifier.verify(paysignForm.body, { now: at }); // claimed, never completed or released
    assert.throws(() => verifier.verify(paysignForm.body, { now: at + 29 }), (e) => e.code === 'NOTIFICATION_IN_PROGRESS' && e.message.includes(id));
    const n = verifier.verify(paysignForm.body, { now: at + 30 });
    assert.equal(n.duplicate, false);
    verifier.complete(n, { now: at + 31 });
    assert.equal(verifier.verify(paysignForm.body, { now: at + 32 }).duplicate, true);
  });

  it('a release by a claim that expired leaves the new claim alone', () => {
    const verifier = new NotificationVerifier({ ...paysignForm.options, leaseSecs: 10 });
    const at = paysignForm.call.now;
    const stale = verifier.verify(paysignForm.body, { now: at });
    const fresh = verifier.verify(paysignForm.body, { now: at + 11 });
    verifier.release(stale);
    assert.throws(() => verifier.verify(paysignForm.body, { now: at + 12 }), (e) => e.code === 'NOTIFICATION_IN_PROGRESS');
    verifier.complete(fresh, { now: at + 12 });
    assert.equal(verifier.verify(paysignForm.body, { now: at + 13 }).duplicate, true);
  });

  it('an amount known only after verification: checkAmount in the handler releases the claim', async () => {
    const verifier = new NotificationVerifier(paysignForm.options);
    await assert.rejects(
      verifier.handle(paysignForm.body, paysignForm.call, (n) => verifier.checkAmount(n, 6755)),
      (e) => e instanceof PaysignError && e.code === 'AMOUNT_MISMATCH' && /6755/.test(e.message) && /6754/.test(e.message),
    );
    // Released: the next copy is handled (and books with the right amount).
    const n = await verifier.handle(paysignForm.body, paysignForm.call, (x) => verifier.checkAmount(x, 6754));
    assert.equal(n.duplicate, false);
    assert.throws(() => verifier.checkAmount(n, -1), (e) => e.code === 'AMOUNT_INVALID');
    assert.throws(() => verifier.checkAmount(n, '6754'), TypeError);
  });

  it('complete and release check their argument; a duplicate needs neither', async () => {
    const verifier = new NotificationVerifier(paysignForm.options);
    const n = verifier.verify(paysignForm.body, paysignForm.call);
    assert.throws(() => verifier.complete({ notifyId: id }), (e) => e instanceof TypeError && /holds no claim/.test(e.message));
    assert.throws(() => verifier.complete('N1'), TypeError);
    assert.throws(() => verifier.complete(n, { when: 1 }), TypeError);
    verifier.complete(n);
    assert.throws(() => verifier.complete(n), (e) => e instanceof TypeError && /completed or released already/.test(e.message));
    assert.throws(() => verifier.release(n), TypeError);
    const dup = verifier.verify(paysignForm.body, paysignForm.call);
    assert.equal(dup.duplicate, true);
    verifier.complete(dup);
    verifier.release(dup);
    // A notification of another verifier holds no claim here.
    const other = new NotificationVerifier(paysignForm.options);
    const claimedElsewhere = new NotificationVerifier(paysignForm.options).verify(paysignForm.body, paysignForm.call);
    assert.equal(claimedElsewhere.duplicate, false);
    assert.throws(() => other.release(claimedElsewhere), (e) => e instanceof TypeError && /another verifier/.test(e.message));
    await assert.rejects(verifier.handle(paysignForm.body, paysignForm.call), (e) => e instanceof TypeError && /handler must be a function/.test(e.message));
    assert.throws(() => new NotificationVerifier({ ...paysignForm.options, leaseSecs: 0 }), (e) => e.code === 'FIELD_INVALID');
    assert.throws(() => new NotificationVerifier({ ...paysignForm.options, leaseSecs: 93601 }), (e) => e.code === 'FIELD_INVALID');
  });
});

describe('NotificationVerifier: duplicates, time', () => {
  it('the first copy is claimed; once completed every retry is a duplicate; a released one is new', () => {
    const verifier = new NotificationVerifier(paysignForm.options);
    const at = paysignForm.call.now;
    const n = verifier.verify(paysignForm.body, { now: at });
    assert.equal(n.duplicate, false);
    verifier.release(n);
    const again = verifier.verify(paysignForm.body, { now: at + 1 });
    assert.equal(again.duplicate, false);
    verifier.complete(again, { now: at + 1 });
    assert.equal(verifier.verify(paysignForm.body, { now: at + 60 }).duplicate, true);
    assert.equal(verifier.verify(paysignForm.body, { now: at + 3600 }).duplicate, true);
  });

  it('verifiers keep separate replay stores; a failed verification records nothing', async () => {
    const a = new NotificationVerifier(paysignForm.options);
    const b = new NotificationVerifier({ ...paysignForm.options, provider: 'webcrypto' });
    const tampered = failing.find((x) => x.name === 'fail_notify_tampered_amount');
    // Same notify_id, altered amount: refused, and the genuine copy is still new afterwards.
    assert.equal(await codeOf(() => b.verifyAsync(tampered.body, tampered.call)), 'SIGNATURE_MISMATCH');
    assert.equal((await b.verifyAsync(paysignForm.body, paysignForm.call)).duplicate, false);
    assert.equal(a.verify(paysignForm.body, paysignForm.call).duplicate, false);
  });

  it('now defaults to the clock: a 2026 vector is from the future or too old today', () => {
    const verifier = new NotificationVerifier(paysignForm.options);
    const code = (() => {
      try {
        verifier.verify(paysignForm.body);
        return 'NO ERROR';
      } catch (e) {
        return e.code;
      }
    })();
    assert.equal(code, 'TIMESTAMP_OUT_OF_WINDOW');
  });

  it('toleranceSecs and maxAgeSecs come from the options', () => {
    const at = paysignForm.call.now;
    const strict = new NotificationVerifier({ ...paysignForm.options, maxAgeSecs: 5 });
    assert.throws(() => strict.verify(paysignForm.body, { now: at }), (e) => e.code === 'TIMESTAMP_OUT_OF_WINDOW');
    const early = new NotificationVerifier({ ...paysignForm.options, toleranceSecs: 0 });
    assert.throws(() => early.verify(paysignForm.body, { now: at - 20 }), (e) => e.code === 'TIMESTAMP_OUT_OF_WINDOW');
    const lenient = new NotificationVerifier({ ...paysignForm.options, toleranceSecs: 60 });
    assert.equal(lenient.verify(paysignForm.body, { now: at - 20 }).notifyTime, 1795190400);
  });
});

describe('NotificationVerifier: the notification object', () => {
  // A notification crosses from wasm as pieces of one string (flat.mjs, pieces): every
  // field, and parameters whatever their names and characters, must come out as JSON.parse
  // would have made them.
  const secretKey = secret('secret');
  const gateway = new Signer({ secret: secretKey, signType: 'HMAC-SHA256', message: 'notification' });
  const fields = {
    notify_id: 'N水1',
    notify_time: '1795190400',
    app_id: '2026000000000001',
    out_trade_no: 'M20261120000001',
    trade_no: 'T1',
    trade_status: 'SUCCESS',
    total_amount: '6754',
    subject: '水费 💧 "quoted" \\ &amp; \u2028',
    __proto__x: '',
    constructor: 'c',
    10: 'ten',
    2: 'two',
  };
  const withProto = (params) => {
    // `__proto__` as an own parameter, which an object literal cannot spell.
    Object.defineProperty(params, '__proto__', { value: 'p', enumerable: true, writable: true, configurable: true });
    return params;
  };

  it('has every field, the parameters as own properties (__proto__ too), and no claim token', () => {
    const signed = gateway.signParams(withProto({ ...fields }));
    const body = new URLSearchParams(Object.entries(signed)).toString();
    assert.match(body, /__proto__=p/);
    const verifier = new NotificationVerifier({ secret: secretKey, accept: ['HMAC-SHA256'] });
    const n = verifier.verify(body, { now: 1795190410 });
    // What JSON.parse makes of the parameters, in the order they arrived in.
    const params = JSON.parse(JSON.stringify(Object.fromEntries(new URLSearchParams(body))));
    assert.deepStrictEqual(n, {
      profile: 'paysign',
      signType: 'HMAC-SHA256',
      notifyId: 'N水1',
      appId: '2026000000000001',
      outTradeNo: 'M20261120000001',
      tradeNo: 'T1',
      billNo: null,
      status: 'SUCCESS',
      totalAmount: 6754,
      refundAmount: null,
      notifyTime: 1795190400,
      eventType: null,
      payload: null,
      duplicate: false,
      params,
    });
    assert.equal(Object.getPrototypeOf(n.params), Object.prototype);
    assert.ok(Object.hasOwn(n.params, '__proto__'));
    assert.equal(n.params.__proto__x, '');
    assert.equal(n.params.subject, fields.subject);
    assert.deepStrictEqual(Object.keys(n.params), Object.keys(params));
    assert.equal(JSON.stringify(n), JSON.stringify(JSON.parse(JSON.stringify(n))));
    assert.ok(!('claim' in n));
    // The next copy is a duplicate, the same object otherwise.
    verifier.complete(n);
    assert.deepStrictEqual(verifier.verify(body, { now: 1795190410 }), { ...n, duplicate: true });
  });
});

describe('NotificationVerifier: amounts', () => {
  const secretKey = secret('secret');
  const gateway = new Signer({ secret: secretKey, signType: 'HMAC-SHA256', message: 'notification' });
  function notification(totalAmount, notifyId = `N${totalAmount}`) {
    return new URLSearchParams(
      gateway.signParams({
        notify_id: notifyId,
        notify_time: '1795190400',
        app_id: '2026000000000001',
        out_trade_no: 'M20261120000001',
        trade_no: 'T1',
        bill_no: 'B1',
        trade_status: 'SUCCESS',
        total_amount: totalAmount,
      }),
    ).toString();
  }
  const options = { secret: secretKey, accept: ['HMAC-SHA256'] };
  const now = 1795190410;

  it('totalAmount is integer fen up to Number.MAX_SAFE_INTEGER, and refused above it', () => {
    const verifier = new NotificationVerifier(options);
    assert.equal(verifier.verify(notification('9007199254740991'), { now }).totalAmount, Number.MAX_SAFE_INTEGER);
    const above = notification('9007199254740992');
    assert.throws(() => verifier.verify(above, { now }), (e) => e instanceof PaysignError && e.code === 'AMOUNT_INVALID' && /MAX_SAFE_INTEGER/.test(e.message));
    // The refusal left no trace in the replay store: it is refused the same way again.
    assert.throws(() => verifier.verify(above, { now }), (e) => e.code === 'AMOUNT_INVALID');
  });

  it('expectedAmount: equal passes, different is AMOUNT_MISMATCH, non-integers AMOUNT_INVALID, text a TypeError', () => {
    const verifier = new NotificationVerifier(options);
    assert.equal(verifier.verify(notification('6754'), { now, expectedAmount: 6754 }).totalAmount, 6754);
    assert.throws(() => verifier.verify(notification('6754', 'N2'), { now, expectedAmount: 6755 }), (e) => e.code === 'AMOUNT_MISMATCH');
    assert.throws(() => verifier.verify(notification('6754', 'N3'), { now, expectedAmount: 67.54 }), (e) => e.code === 'AMOUNT_INVALID');
    assert.throws(() => verifier.verify(notification('6754', 'N4'), { now, expectedAmount: -1 }), (e) => e.code === 'AMOUNT_INVALID');
    assert.throws(() => verifier.verify(notification('6754', 'N5'), { now, expectedAmount: '67.54' }), TypeError);
    assert.throws(() => verifier.verify(notification('6754', 'N6'), { now, expectedAmount: 6754n }), TypeError);
  });
});

describe('NotificationVerifier: acknowledgements', () => {
  // A WeChat Pay v3 notification verifier needs an APIv3 key (32 bytes); none is used here.
  const APIV3_KEY = 'a'.repeat(32);
  const cases = [
    ['paysign', { publicKey: gatewayPublic }, [200, 'text/plain; charset=utf-8', 'success'], [200, 'text/plain; charset=utf-8', 'fail']],
    ['alipay', { publicKey: gatewayPublic }, [200, 'text/plain; charset=utf-8', 'success'], [200, 'text/plain; charset=utf-8', 'fail']],
    [
      'wechat-v2',
      { secret: 'k' },
      [200, 'text/xml; charset=utf-8', '<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>'],
      [200, 'text/xml; charset=utf-8', '<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[db down]]></return_msg></xml>'],
    ],
    ['wechat-v3', { publicKeys: { SERIAL: gatewayPublic }, decryptionKey: APIV3_KEY }, [200, 'application/json', '{"code":"SUCCESS","message":"成功"}'], [500, 'application/json', '{"code":"FAIL","message":"db down"}']],
    ['unionpay', { publicKey: gatewayPublic }, [200, 'text/plain; charset=utf-8', ''], [500, 'text/plain; charset=utf-8', 'db down']],
    ['standard-webhooks', { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }, [200, 'text/plain; charset=utf-8', ''], [500, 'text/plain; charset=utf-8', 'db down']],
  ];
  for (const [profile, credential, ok, fail] of cases) {
    it(`${profile}: the exact bodies the platform reads`, async () => {
      const verifier = new NotificationVerifier({ profile, ...credential });
      assert.deepEqual(verifier.acknowledge(true), { status: ok[0], contentType: ok[1], body: ok[2] });
      assert.deepEqual(verifier.acknowledge(false, 'db down'), { status: fail[0], contentType: fail[1], body: fail[2] });
      const response = verifier.acknowledgeResponse(false, 'db down');
      assert.equal(response.status, fail[0]);
      assert.equal(response.headers.get('content-type'), fail[1]);
      assert.equal(await response.text(), fail[2]);
    });
  }

  it('acknowledgeError: a refusal for a forged notification, a retry for one not booked, success for one booked', async () => {
    const verifier = new NotificationVerifier(paysignForm.options);
    const tampered = failing.find((x) => x.name === 'fail_notify_tampered_amount');
    const forged = await verifier.handle(tampered.body, tampered.call, () => assert.fail('handler ran')).catch((e) => e);
    assert.deepEqual(verifier.acknowledgeError(forged), { status: 400, contentType: 'text/plain; charset=utf-8', body: 'fail' });
    // A copy arriving while the first is being booked: sent from inside the first's handler,
    // so the claim is held whichever WebCrypto verification finishes first.
    let inProgress;
    await verifier.handle(paysignForm.body, paysignForm.call, async () => {
      inProgress = await verifier.handle(paysignForm.body, paysignForm.call, () => {}).catch((e) => e);
    });
    assert.equal(inProgress.code, 'NOTIFICATION_IN_PROGRESS');
    assert.deepEqual(verifier.acknowledgeError(inProgress), { status: 200, contentType: 'text/plain; charset=utf-8', body: 'fail' });
    // A handler's own error, anything thrown: not booked, retry.
    assert.equal(verifier.acknowledgeError(new Error('database down')).status, 200);
    assert.equal(verifier.acknowledgeError('?').body, 'fail');
    const unrecorded = Object.assign(new PaysignError('store down', 'REPLAY_STORE_UNAVAILABLE'), { booked: true });
    assert.equal(verifier.acknowledgeError(unrecorded).body, 'success');
    // Where the platform reads the status: a refusal 400, a retry 500.
    const v3 = new NotificationVerifier({ profile: 'wechat-v3', publicKeys: { SERIAL: gatewayPublic }, decryptionKey: APIV3_KEY });
    assert.equal(v3.acknowledgeError(forged).status, 400);
    assert.equal(v3.acknowledgeError(inProgress).status, 500);
    const response = v3.acknowledgeErrorResponse(forged);
    assert.equal(response.status, 400);
    assert.equal(await response.text(), '{"code":"FAIL","message":"SIGNATURE_MISMATCH"}');
  });

  it('acknowledge takes a boolean and an optional string', () => {
    const verifier = new NotificationVerifier({ publicKey: gatewayPublic });
    assert.throws(() => verifier.acknowledge('success'), TypeError);
    assert.throws(() => verifier.acknowledge(true, 42), TypeError);
    assert.equal(verifier.acknowledge(false).body, 'fail');
  });
});

describe('NotificationVerifier: gateway responses', () => {
  const gateway = new Signer({ privateKey: gatewayPrivate, message: 'request' });
  function response(fields) {
    return new URLSearchParams(gateway.signParams({ app_id: '2026000000000001', timestamp: '1795190400', nonce: 'a1b2c3d4e5f60718', code: 'SUCCESS', message: 'OK', trade_no: 'T1', ...fields })).toString();
  }

  for (const provider of ['auto', 'wasm', 'node', 'webcrypto']) {
    it(`verifyResponse checks signature, app id, time and the echoed nonce (provider ${provider})`, () => {
      const verifier = new NotificationVerifier({ publicKey: gatewayPublic, appId: '2026000000000001', provider });
      const ok = verifier.verifyResponse(response({}), { requestNonce: 'a1b2c3d4e5f60718', now: 1795190410 });
      assert.equal(ok.code, 'SUCCESS');
      assert.equal(ok.success, true);
      assert.equal(ok.message, 'OK');
      assert.equal(ok.params.trade_no, 'T1');
      const refused = verifier.verifyResponse(response({ code: 'BILL_NOT_FOUND', message: 'no such bill' }), { requestNonce: 'a1b2c3d4e5f60718', now: 1795190410 });
      assert.deepEqual([refused.code, refused.success], ['BILL_NOT_FOUND', false]);
      assert.throws(() => verifier.verifyResponse(response({}), { requestNonce: 'another-nonce-000', now: 1795190410 }), (e) => e.code === 'REPLAY_DETECTED');
      assert.throws(() => verifier.verifyResponse(response({}), { requestNonce: 'a1b2c3d4e5f60718', now: 1795190410 + 3600 }), (e) => e.code === 'TIMESTAMP_OUT_OF_WINDOW');
      const tampered = response({}).replace('trade_no=T1', 'trade_no=T2');
      assert.throws(() => verifier.verifyResponse(tampered, { requestNonce: 'a1b2c3d4e5f60718', now: 1795190410 }), (e) => e.code === 'SIGNATURE_MISMATCH');
      assert.throws(() => verifier.verifyResponse(response({})), TypeError);
    });
  }
});

describe('value types (docs/protocol.md §1): a malformed body naming the field, never a signature error', () => {
  const gateway = new Signer({ privateKey: gatewayPrivate, message: 'request' });
  const signed = gateway.signParams({ app_id: '2026000000000001', timestamp: '1795190400', nonce: 'a1b2c3d4e5f60718', code: 'SUCCESS', message: 'OK', trade_no: 'T1' });
  // Each JSON type but string, for the signature, a decimal-string field and a new field.
  const retyped = [
    ['sign', null, '`sign` is null'],
    ['sign', 12, '`sign` is the number 12'],
    ['timestamp', 1795190400, '`timestamp` is the number 1795190400'],
    ['code', null, '`code` is null'],
    ['code', true, '`code` is the boolean true'],
    ['trade_no', { id: 'T1' }, '`trade_no` is an object'],
    ['extra', ['x'], '`extra` is an array'],
  ];

  for (const provider of ['auto', 'wasm', 'node', 'webcrypto']) {
    it(`verifyResponse refuses a JSON response whose value is not a string (provider ${provider})`, () => {
      const verifier = new NotificationVerifier({ publicKey: gatewayPublic, appId: '2026000000000001', provider });
      const call = { requestNonce: 'a1b2c3d4e5f60718', now: 1795190410, contentType: 'application/json' };
      assert.equal(verifier.verifyResponse(JSON.stringify(signed), call).code, 'SUCCESS');
      for (const [field, value, says] of retyped) {
        const body = JSON.stringify({ ...signed, [field]: value });
        assert.throws(
          () => verifier.verifyResponse(body, call),
          (e) => e instanceof PaysignError && e.code === 'BODY_MALFORMED' && e.message.includes(`field ${says}`),
          `${field}: ${JSON.stringify(value)}`,
        );
      }
    });
  }

  it('verifySignature, verifyRequest and explain say the same of "sign": null', async () => {
    const c = failing.find((x) => x.name === 'fail_notify_json_null_sign');
    const verifier = new NotificationVerifier(c.options);
    const malformed = (e) => e instanceof PaysignError && e.code === 'BODY_MALFORMED' && e.message.includes('field `sign` is null');
    assert.throws(() => verifier.verifySignature(c.body, c.call), malformed);
    const request = new Request('https://merchant.example/paysign/notify', { method: 'POST', body: c.body, headers: { 'content-type': c.call.contentType } });
    await assert.rejects(verifier.verifyRequest(request, { now: c.call.now }), malformed);
    const d = explain(c.body, { publicKey: c.options.publicKey, signTypes: c.options.accept, contentType: c.call.contentType, now: c.call.now });
    assert.equal(d.verified, false);
    assert.deepEqual(d.findings.map((f) => f.code), ['BODY_UNREADABLE']);
    assert.match(d.findings[0].message, /BODY_MALFORMED.*field `sign` is null/);
    assert.doesNotMatch(d.findings[0].message, /wrong key/);
  });

  it('a form field without `=` is malformed for paysign and an empty value for Alipay', () => {
    const bare = failing.find((x) => x.name === 'fail_notify_form_bare_sign');
    assert.throws(() => new NotificationVerifier(bare.options).verify(bare.body, bare.call), (e) => e.code === 'BODY_MALFORMED' && e.message.includes('field `sign` at byte'));
    const alipay = valid.find((x) => x.name === 'notify_alipay_form_bare_key');
    assert.equal(new NotificationVerifier(alipay.options).verify(alipay.body, alipay.call).outTradeNo, '6823789339978248');
  });
});

describe('charset: the Content-Type and the body must agree (docs/protocol.md §1)', () => {
  it('refuses a clash with CHARSET_CONFLICT, naming both charsets', () => {
    const verifier = new NotificationVerifier(paysignForm.options);
    const body = `charset=GBK&${Buffer.from(paysignForm.body).toString('utf8')}`;
    assert.throws(
      () => verifier.verifySignature(body, { contentType: 'application/x-www-form-urlencoded; charset=utf-8' }),
      (e) => e instanceof PaysignError && e.code === 'CHARSET_CONFLICT' && /UTF-8/.test(e.message) && /GBK/.test(e.message),
    );
  });
});

describe('NotificationVerifier: signature only (verifySignature)', () => {
  it('checks a WeChat Pay v3 signature without decrypting or interpreting the body', () => {
    const c = valid.find((x) => x.name === 'platforms/notify_wechat_v3_transaction');
    const { decryptionKey, ...keysOnly } = c.options;
    assert.ok(decryptionKey);
    // Without the APIv3 key a notification verifier is refused when it is made, naming
    // both ways out in this package's words (not at its first notification).
    assert.throws(
      () => new NotificationVerifier(keysOnly),
      (e) => e.code === 'CREDENTIAL_MISMATCH' && e.message.includes('`decryptionKey`') && e.message.includes('`signaturesOnly: true`') && !e.message.includes('Builder'),
    );
    assert.throws(() => new NotificationVerifier({ ...keysOnly, signaturesOnly: 'yes' }), TypeError);
    const verifier = new NotificationVerifier({ ...keysOnly, signaturesOnly: true });
    assert.deepEqual(verifier.verifySignature(c.body, { headers: c.call.headers, now: c.call.now }), { valid: true, signType: 'RSA2' });
    // A verifier of signatures only still refuses a notification it cannot open.
    assert.throws(() => verifier.verify(c.body, c.call), (e) => e.code === 'CREDENTIAL_MISMATCH');
    const tampered = failing.find((x) => x.name === 'platforms/fail_notify_wechat_v3_tampered_body');
    assert.throws(() => verifier.verifySignature(tampered.body, { headers: tampered.call.headers, now: tampered.call.now }), (e) => e.code === 'SIGNATURE_MISMATCH');
    assert.throws(() => verifier.verifySignature(c.body, { headers: c.call.headers, now: c.call.now + 3600 }), (e) => e.code === 'TIMESTAMP_OUT_OF_WINDOW');
  });

  it('checks a k=v body too, without the notification checks (app id, time, duplicates)', () => {
    const verifier = new NotificationVerifier({ ...paysignForm.options, appId: 'another-app' });
    for (let i = 0; i < 2; i++) assert.deepEqual(verifier.verifySignature(paysignForm.body), { valid: true, signType: 'RSA2' });
    assert.throws(() => verifier.verifySignature(paysignForm.body, { expectedAmount: 1 }), TypeError);
  });
});

describe('NotificationVerifier: configuration', () => {
  it('exposes profile, accepted sign types and providers', () => {
    const v = new NotificationVerifier({ publicKey: gatewayPublic, accept: ['RSA2', 'RSA'] });
    assert.equal(v.profile, 'paysign');
    assert.deepEqual([...v.accepted].sort(), ['RSA', 'RSA2']);
    assert.ok(Object.isFrozen(v.accepted));
    assert.deepEqual(v.provider, { sync: 'node', async: 'webcrypto' });
    assert.deepEqual(new NotificationVerifier({ secret: 'k', accept: ['MD5'] }).provider, { sync: 'wasm', async: 'wasm' });
  });

  const codes = [
    ['CREDENTIAL_MISMATCH', () => new NotificationVerifier({})],
    ['CREDENTIAL_MISMATCH', () => new NotificationVerifier({ profile: 'wechat-v2', publicKey: gatewayPublic })],
    ['CREDENTIAL_MISMATCH', () => new NotificationVerifier({ profile: 'standard-webhooks', publicKey: gatewayPublic })],
    ['CREDENTIAL_MISMATCH', () => new NotificationVerifier({ profile: 'wechat-v3', publicKey: gatewayPublic })],
    ['UNSUPPORTED_PROFILE', () => new NotificationVerifier({ profile: 'stripe', secret: 'k' })],
    ['UNSUPPORTED_SIGN_TYPE', () => new NotificationVerifier({ secret: 'k', accept: ['SHA512'] })],
    ['UNSUPPORTED_SIGN_TYPE', () => new NotificationVerifier({ profile: 'wechat-v2', secret: 'k', accept: ['RSA2'] })],
    ['KEY_INVALID', () => new NotificationVerifier({ publicKey: 'not a key' })],
    ['KEY_INVALID', () => new NotificationVerifier({ profile: 'unionpay', publicKeys: { 69042905377: 'not a key' } })],
    ['SECRET_EMPTY', () => new NotificationVerifier({ secret: '', accept: ['MD5'] })],
    ['FIELD_INVALID', () => new NotificationVerifier({ profile: 'unionpay', publicKeys: [['A', gatewayPublic], ['a', gatewayPublic]] })],
    ['FIELD_INVALID', () => new NotificationVerifier({ profile: 'standard-webhooks', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', appId: 'x' })],
  ];
  for (const [code, make] of codes) {
    it(`${code}: ${make.toString().slice(6, 100)}`, async () => {
      assert.equal(await codeOf(make), code);
    });
  }

  const typeErrors = [
    ['no options', () => new NotificationVerifier()],
    ['two credentials', () => new NotificationVerifier({ publicKey: gatewayPublic, secret: 'k' })],
    ['a misspelt option', () => new NotificationVerifier({ publicKey: gatewayPublic, appID: 'x' })],
    ['accept as a string', () => new NotificationVerifier({ publicKey: gatewayPublic, accept: 'RSA2' })],
    ['toleranceSecs as text', () => new NotificationVerifier({ publicKey: gatewayPublic, toleranceSecs: '300' })],
    ['negative maxAgeSecs', () => new NotificationVerifier({ publicKey: gatewayPublic, maxAgeSecs: -1 })],
    ['fractional toleranceSecs', () => new NotificationVerifier({ publicKey: gatewayPublic, toleranceSecs: 1.5 })],
    ['publicKeys empty', () => new NotificationVerifier({ profile: 'unionpay', publicKeys: {} })],
    ['unknown provider', () => new NotificationVerifier({ publicKey: gatewayPublic, provider: 'openssl' })],
  ];
  for (const [label, make] of typeErrors) {
    it(`TypeError: ${label}`, () => {
      assert.throws(make, TypeError);
    });
  }

  it('per-call options are checked too: a misspelt expectedAmount is not silently ignored', () => {
    const verifier = new NotificationVerifier(paysignForm.options);
    assert.throws(() => verifier.verify(paysignForm.body, { now: paysignForm.call.now, expectedAmmount: 1 }), /unknown option "expectedAmmount"/);
    assert.throws(() => verifier.verify(paysignForm.body, { now: 'now' }), TypeError);
    assert.throws(() => verifier.verify(paysignForm.body, { headers: 'content-type: x' }), TypeError);
    assert.throws(() => verifier.verify(paysignForm.body, { headers: { 'content-type': 1 } }), TypeError);
    assert.throws(() => verifier.verify({ notify_id: 'N1' }), /raw body/);
  });

  it('headers as node:http gives them (lower-case, arrays), as pairs, as a Map or a Headers', () => {
    const c = valid.find((x) => x.name === 'platforms/notify_standard_webhooks_published');
    const forms = [
      Object.fromEntries(c.call.headers.map(([k, v]) => [k.toLowerCase(), v])),
      { ...Object.fromEntries(c.call.headers.map(([k, v]) => [k, [v]])), 'x-other': undefined },
      c.call.headers,
      new Map(c.call.headers),
      new Headers(c.call.headers),
    ];
    for (const headers of forms) {
      const verifier = new NotificationVerifier(c.options);
      assert.equal(verifier.verify(c.body, { ...c.call, headers }).notifyId, 'msg_p5jXN8AQM9LWM0D4loKWxJek');
    }
    // One header twice with different values is ambiguous: refused.
    const verifier = new NotificationVerifier(c.options);
    const twice = [...c.call.headers, ['webhook-id', 'msg_other']];
    assert.throws(() => verifier.verify(c.body, { ...c.call, headers: twice }), (e) => e.code === 'PARAM_DUPLICATE');
  });

  it('key material as PEM text, DER bytes or a certificate; secrets as text or bytes', () => {
    const der = readBytes('keys/merchant_cert.der');
    assert.equal(new NotificationVerifier({ publicKey: der }).profile, 'paysign');
    assert.equal(new NotificationVerifier({ secret: new Uint8Array([1, 2, 3]), accept: ['MD5'] }).accepted[0], 'MD5');
  });

  it('free() releases it; later calls are TypeErrors; Symbol.dispose frees too', async () => {
    const v = new NotificationVerifier(paysignForm.options);
    v.free();
    v.free();
    assert.throws(() => v.verify(paysignForm.body, paysignForm.call), /freed/);
    await assert.rejects(v.verifyAsync(paysignForm.body, paysignForm.call), TypeError);
    assert.throws(() => v.acknowledge(true), TypeError);
    const d = new NotificationVerifier(paysignForm.options);
    d[Symbol.dispose]();
    assert.throws(() => d.complete({ notifyId: 'N1', duplicate: true }), TypeError);
  });

  it('freed while WebCrypto works: the second pass refuses', async () => {
    const v = new NotificationVerifier({ ...paysignForm.options, provider: 'webcrypto' });
    const pending = v.verifyAsync(paysignForm.body, paysignForm.call);
    v.free();
    await assert.rejects(pending, TypeError);
  });

  it('concurrent verifyAsync calls of one notification: exactly one claims it, the others are in progress', async () => {
    const v = new NotificationVerifier({ ...paysignForm.options, provider: 'webcrypto' });
    const results = await Promise.allSettled([1, 2, 3, 4].map(() => v.verifyAsync(paysignForm.body, paysignForm.call)));
    const outcomes = results.map((r) => (r.status === 'fulfilled' ? `duplicate: ${r.value.duplicate}` : r.reason.code));
    assert.deepEqual(outcomes.sort(), ['NOTIFICATION_IN_PROGRESS', 'NOTIFICATION_IN_PROGRESS', 'NOTIFICATION_IN_PROGRESS', 'duplicate: false']);
  });
});

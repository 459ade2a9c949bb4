// sdk-wasm/js/api/replay-store.mjs: a caller's replay store and its answers, checked; its
// failures as REPLAY_STORE_UNAVAILABLE.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { PaysignError } from '../../../sdk-wasm/js/api/errors.mjs';
import { claimOf, replayStoreOf, storeFailure } from '../../../sdk-wasm/js/api/replay-store.mjs';

const store = { claim() {}, complete() {}, release() {} };

describe('replay stores', () => {
  it('replayStoreOf: none (null), or an object with the three methods', () => {
    assert.equal(replayStoreOf(undefined), null);
    assert.equal(replayStoreOf(store), store);
    for (const bad of [null, {}, { ...store, release: 1 }, 'redis']) {
      assert.throws(() => replayStoreOf(bad), {
        name: 'TypeError',
        message: 'options.replayStore must be an object with claim(id, now, leaseUntil), complete(id, now, keepUntil) and release(id, token) methods',
      });
    }
  });

  it('claimOf: the three answers of the contract, anything else a TypeError', () => {
    for (const answer of [{ status: 'claimed', token: 't' }, { status: 'in-progress' }, { status: 'done' }]) {
      assert.equal(claimOf(answer), answer);
    }
    for (const bad of [undefined, null, 'claimed', { status: 'claimed' }, { status: 'claimed', token: '' }, { status: 'ok' }]) {
      assert.throws(() => claimOf(bad), { name: 'TypeError', message: /^replayStore\.claim must return \(or resolve to\)/ });
    }
  });

  it('storeFailure: the core\'s REPLAY_STORE_UNAVAILABLE with the cause; PaysignError and TypeError pass through', () => {
    const wasm = {
      WasmNotificationVerifier: {
        replayError: (id, detail) => new PaysignError(`replay store unavailable: ${detail}`, 'REPLAY_STORE_UNAVAILABLE'),
      },
    };
    const cause = new Error('ECONNREFUSED');
    const error = storeFailure(cause, wasm);
    assert.equal(error.code, 'REPLAY_STORE_UNAVAILABLE');
    assert.equal(error.message, 'replay store unavailable: ECONNREFUSED');
    assert.equal(error.cause, cause);
    assert.equal(storeFailure('down', wasm).message, 'replay store unavailable: down');
    const own = new TypeError('bug in the store');
    assert.equal(storeFailure(own, wasm), own);
    const paysign = new PaysignError('x', 'NOTIFICATION_IN_PROGRESS');
    assert.equal(storeFailure(paysign, wasm), paysign);
  });
});

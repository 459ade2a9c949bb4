// sdk-wasm/js/api/verifier.mjs and notification-verifier.mjs: the options they check in
// JavaScript before the core sees them (the classes themselves: api.test.mjs,
// notifications.test.mjs, over the real wasm).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { verifyOptions } from '../../../sdk-wasm/js/api/notification-verifier.mjs';
import { acceptedOf } from '../../../sdk-wasm/js/api/verifier.mjs';

describe('Verifier: acceptedOf', () => {
  it('signType or signTypes, never both; none is the profile\'s default ([])', () => {
    assert.deepEqual(acceptedOf({}), []);
    assert.deepEqual(acceptedOf({ signType: 'RSA2' }), ['RSA2']);
    const many = ['RSA', 'RSA2'];
    assert.deepEqual(acceptedOf({ signTypes: many }), many);
    assert.notEqual(acceptedOf({ signTypes: many }), many, 'a copy');
    assert.throws(() => acceptedOf({ signType: 'RSA2', signTypes: ['RSA'] }), { message: 'pass either options.signType or options.signTypes, not both' });
    assert.throws(() => acceptedOf({ signTypes: [] }), { message: 'options.signTypes must be a non-empty array of sign type names' });
  });
});

describe('NotificationVerifier: verifyOptions', () => {
  it('checked per call: content type, headers as a flat list, the expected amount, the clock', () => {
    assert.deepEqual(verifyOptions({ contentType: 'application/json', headers: { a: '1' }, expectedAmount: 1959, now: 5 }, 'verify'), {
      contentType: 'application/json', headers: ['a', '1'], expected: 1959, now: 5,
    });
    const defaults = verifyOptions(undefined, 'verify');
    assert.deepEqual({ ...defaults, now: 0 }, { contentType: undefined, headers: [], expected: undefined, now: 0 });
    assert.throws(() => verifyOptions({ amount: 1 }, 'verifyAsync'), {
      message: 'verifyAsync: unknown option "amount" (expected one of contentType, headers, expectedAmount, now)',
    });
    assert.throws(() => verifyOptions({ expectedAmount: '19.59' }, 'verify'), { message: /^options\.expectedAmount must be a number of fen/ });
  });
});

// sdk-wasm/js/api/options.mjs: the JavaScript type checks of options, each error naming
// the option and what to pass.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  checkKeys,
  entriesOf,
  fenOf,
  nowOf,
  optionalString,
  optionsObject,
  secondsOf,
  signTypeList,
} from '../../../sdk-wasm/js/api/options.mjs';

describe('options', () => {
  it('optionsObject: undefined is {}; anything but a plain object is refused', () => {
    assert.deepEqual(optionsObject(undefined, 'Signer'), {});
    const given = { profile: 'alipay' };
    assert.equal(optionsObject(given, 'Signer'), given);
    assert.throws(() => optionsObject(null, 'Signer'), { name: 'TypeError', message: 'Signer options must be an object (got null)' });
    assert.throws(() => optionsObject([], 'verify'), { message: 'verify options must be an object (got an array)' });
    assert.throws(() => optionsObject('RSA2', 'verify'), { message: 'verify options must be an object (got string)' });
  });

  it('optionalString', () => {
    assert.equal(optionalString({ a: 'x' }, 'a'), 'x');
    assert.equal(optionalString({}, 'a'), undefined);
    assert.throws(() => optionalString({ appId: 2026 }, 'appId'), { message: 'options.appId must be a string (got number)' });
  });

  it('checkKeys refuses an unknown (misspelt) option', () => {
    assert.doesNotThrow(() => checkKeys({ now: 1 }, ['now', 'headers'], 'verify'));
    assert.throws(() => checkKeys({ header: {} }, ['now', 'headers'], 'verify'), {
      message: 'verify: unknown option "header" (expected one of now, headers)',
    });
  });

  it('nowOf: the clock by default, else finite Unix seconds', () => {
    const before = Date.now() / 1000;
    const now = nowOf(undefined, 'options.now');
    assert.ok(now >= before && now <= Date.now() / 1000);
    assert.equal(nowOf(1795190410.5, 'options.now'), 1795190410.5);
    for (const bad of [NaN, Infinity, '1795190410', new Date()]) {
      assert.throws(() => nowOf(bad, 'options.now'), { message: 'options.now must be a finite number of Unix seconds (default Date.now() / 1000)' });
    }
  });

  it('fenOf: a number (the core refuses what is not a safe integer ≥ 0); yuan text is pointed to parseYuan', () => {
    assert.equal(fenOf(1959, 'fen'), 1959);
    assert.equal(fenOf(-1, 'fen'), -1, 'range is the core\'s check');
    assert.throws(() => fenOf('19.59', 'options.expectedAmount'), {
      message: "options.expectedAmount must be a number of fen (got string); for yuan text use parseYuan('12.34')",
    });
    assert.throws(() => fenOf(null, 'x'), { message: /\(got null\)/ });
  });

  it('secondsOf', () => {
    assert.equal(secondsOf({ leaseSecs: 60 }, 'leaseSecs'), 60);
    assert.equal(secondsOf({}, 'leaseSecs'), undefined);
    assert.throws(() => secondsOf({ leaseSecs: '60' }, 'leaseSecs'), { message: 'options.leaseSecs must be a number of seconds (got string)' });
  });

  it('signTypeList: a copy of a non-empty array of names; undefined is []', () => {
    const given = ['RSA2'];
    const list = signTypeList(given, 'options.accept');
    assert.deepEqual(list, ['RSA2']);
    assert.notEqual(list, given);
    assert.deepEqual(signTypeList(undefined, 'options.accept'), []);
    for (const bad of [[], 'RSA2', [2]]) {
      assert.throws(() => signTypeList(bad, 'options.accept'), { message: "options.accept must be a non-empty array of sign type names, e.g. ['RSA2']" });
    }
  });

  it('entriesOf: a Record, a Map or pairs, never empty', () => {
    const expected = [['A', 'k1'], ['B', 'k2']];
    assert.deepEqual(entriesOf({ A: 'k1', B: 'k2' }, 'w'), expected);
    assert.deepEqual(entriesOf(new Map(expected), 'w'), expected);
    assert.deepEqual(entriesOf(expected, 'w'), expected);
    assert.throws(() => entriesOf('k', 'options.publicKeys'), { message: 'options.publicKeys must be an object, a Map or an array of [id, value] pairs' });
    assert.throws(() => entriesOf([['A']], 'options.publicKeys'), { message: 'options.publicKeys: entry 0 must be an [id, value] pair with a string id' });
    assert.throws(() => entriesOf({}, 'options.publicKeys'), { message: 'options.publicKeys is empty' });
  });
});

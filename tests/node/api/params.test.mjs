// sdk-wasm/js/api/params.mjs: the signed copy of parameters, of the kind given.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { badValue, withFields } from '../../../sdk-wasm/js/api/params.mjs';

describe('withFields: the signed copy is of the same kind, the input untouched', () => {
  const fields = [['sign_type', 'RSA2'], ['sign', 'c2ln']];

  it('object', () => {
    const params = { app_id: '2026', sign_type: 'MD5' };
    const out = withFields(params, fields);
    assert.deepEqual(Object.entries(out), [['app_id', '2026'], ['sign_type', 'RSA2'], ['sign', 'c2ln']]);
    assert.deepEqual(params, { app_id: '2026', sign_type: 'MD5' });
  });

  it('Map', () => {
    const params = new Map([['sign_type', 'MD5'], ['app_id', '2026']]);
    const out = withFields(params, fields);
    assert.ok(out instanceof Map);
    assert.deepEqual([...out], [['sign_type', 'RSA2'], ['app_id', '2026'], ['sign', 'c2ln']]);
    assert.equal(params.get('sign_type'), 'MD5');
  });

  it('URLSearchParams', () => {
    const params = new URLSearchParams('app_id=2026');
    const out = withFields(params, fields);
    assert.ok(out instanceof URLSearchParams);
    assert.equal(out.toString(), 'app_id=2026&sign_type=RSA2&sign=c2ln');
    assert.equal(params.toString(), 'app_id=2026');
  });

  it('pairs: an existing name keeps its place, a new one is appended', () => {
    const params = [['sign', 'old'], ['app_id', '2026']];
    const out = withFields(params, fields);
    assert.deepEqual(out, [['sign', 'c2ln'], ['app_id', '2026'], ['sign_type', 'RSA2']]);
    assert.deepEqual(params, [['sign', 'old'], ['app_id', '2026']]);
  });
});

describe('badValue', () => {
  it('says what was given and that paysign signs exact text', () => {
    const message = (value) => badValue('parameter "a"', value).message;
    assert.equal(message(1959), 'parameter "a" must be a string (got number); paysign signs exact text, so convert numbers yourself, e.g. String(1959)');
    assert.match(message(null), /\(got null\)/);
    assert.match(message(['1']), /\(got an array\)/);
    assert.ok(badValue('x', 1) instanceof TypeError);
  });
});

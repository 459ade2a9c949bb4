// sdk-wasm/js/api/http.mjs: a raw body as bytes, and HTTP headers as a flat list, from
// every form a runtime or framework hands them in.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { bodyBytes, headerList } from '../../../sdk-wasm/js/api/http.mjs';

describe('bodyBytes', () => {
  it('text is UTF-8; bytes are taken as they are, views without a copy', () => {
    assert.deepEqual([...bodyBytes('a=水', 'body')], [...new TextEncoder().encode('a=水')]);
    const bytes = new Uint8Array([1, 2, 3]);
    assert.equal(bodyBytes(bytes, 'body'), bytes);
    assert.deepEqual([...bodyBytes(bytes.buffer, 'body')], [1, 2, 3]);
    const view = new DataView(bytes.buffer, 1, 2);
    const out = bodyBytes(view, 'body');
    assert.deepEqual([...out], [2, 3]);
    assert.equal(out.buffer, bytes.buffer);
    assert.ok(bodyBytes(Buffer.from('x'), 'body') instanceof Uint8Array);
  });

  it('a parsed body is refused with the advice to read the raw one; other names get no advice', () => {
    assert.throws(() => bodyBytes({ out_trade_no: 'x' }, 'body'), {
      name: 'TypeError',
      message: /^body must be a string, a Uint8Array \(Buffer\) or an ArrayBuffer \(got object\): an object is a body some framework parsed already/,
    });
    assert.throws(() => bodyBytes({}, 'statement'), { message: 'statement must be a string, a Uint8Array (Buffer) or an ArrayBuffer (got object)' });
    assert.throws(() => bodyBytes(null, 'body'), { message: 'body must be a string, a Uint8Array (Buffer) or an ArrayBuffer (got null)' });
  });
});

describe('headerList', () => {
  const flat = ['content-type', 'application/json', 'wechatpay-serial', 'PUB_KEY_ID_0114'];

  it('a fetch Headers, a Map, pairs, or node:http req.headers', () => {
    assert.deepEqual(headerList(undefined, 'options.headers'), []);
    assert.deepEqual(headerList(new Headers([['Content-Type', 'application/json'], ['Wechatpay-Serial', 'PUB_KEY_ID_0114']]), 'h'), flat);
    assert.deepEqual(headerList(new Map([['content-type', 'application/json'], ['wechatpay-serial', 'PUB_KEY_ID_0114']]), 'h'), flat);
    assert.deepEqual(headerList([['content-type', 'application/json'], ['wechatpay-serial', 'PUB_KEY_ID_0114']], 'h'), flat);
    // node:http: an array value repeats the header, undefined is skipped (what the core
    // makes of a repeated header is its decision).
    assert.deepEqual(headerList({ 'content-type': 'application/json', 'x-a': ['1', '2'], 'x-b': undefined }, 'h'), [
      'content-type', 'application/json', 'x-a', '1', 'x-a', '2',
    ]);
  });

  it('refuses what is not headers, naming the place', () => {
    assert.throws(() => headerList('content-type: x', 'options.headers'), {
      message: 'options.headers must be a Headers, a Map, an object or an array of [name, value] pairs (got string)',
    });
    assert.throws(() => headerList([['a']], 'options.headers'), { message: 'options.headers[0] must be a [name, value] pair' });
    assert.throws(() => headerList([[1, 'x']], 'options.headers'), { message: 'options.headers: header names must be strings (got number)' });
    assert.throws(() => headerList({ 'webhook-timestamp': 1795190410 }, 'options.headers'), {
      message: 'options.headers: header "webhook-timestamp" must be a string (got number)',
    });
    assert.throws(() => headerList({ 'x-a': null }, 'options.headers'), { message: /must be a string \(got null\)/ });
  });
});

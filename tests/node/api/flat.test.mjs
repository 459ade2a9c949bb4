// sdk-wasm/js/api/flat.mjs: parameters and header lists written into a wasm module's input
// buffers, and its output buffer read in place — over a fake module with a real
// WebAssembly.Memory, so every address and length can be read back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { FlatBuffers } from '../../../sdk-wasm/js/api/flat.mjs';

// The functions of the wasm bindings FlatBuffers calls (sdk-wasm/src/flat.rs), over one memory.
function fakeModule({ failReserve = false } = {}) {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 64 });
  const module = { memory, reserved: [], next: 64 };
  const reserve = (kind, size) => {
    if (failReserve) return 0;
    const address = module.next;
    module.next += Math.ceil(size / 8) * 8;
    while (module.next > memory.buffer.byteLength) memory.grow(1);
    module.reserved.push({ kind, address, size });
    return address;
  };
  Object.assign(module, {
    inputMemory: () => memory,
    reserveLens: (count) => reserve('lens', count * 4),
    reserveBytes: (size) => reserve('bytes', size),
    outputAddress: () => 8,
  });
  return module;
}

// The strings written, read back from the last buffers reserved.
function readBack(module, counts) {
  const last = (kind) => module.reserved.filter((r) => r.kind === kind).at(-1);
  const lens = new Uint32Array(module.memory.buffer, last('lens').address, counts.lens);
  const text = new TextDecoder().decode(new Uint8Array(module.memory.buffer, last('bytes').address, counts.bytes));
  const out = [];
  let at = 0;
  for (const len of lens) {
    out.push(text.slice(at, at + len));
    at += len;
  }
  assert.equal(at, text.length, 'the lengths cover the text exactly');
  return out;
}

describe('FlatBuffers.params: every kind of parameters, written as names and values', () => {
  const expected = ['app_id', '2026', 'subject', '水费 💧', 'empty', ''];
  const kinds = {
    object: { app_id: '2026', subject: '水费 💧', empty: '' },
    Map: new Map([['app_id', '2026'], ['subject', '水费 💧'], ['empty', '']]),
    URLSearchParams: new URLSearchParams([['app_id', '2026'], ['subject', '水费 💧'], ['empty', '']]),
    pairs: [['app_id', '2026'], ['subject', '水费 💧'], ['empty', '']],
  };
  for (const [kind, params] of Object.entries(kinds)) {
    it(`${kind}: UTF-16 lengths, UTF-8 bytes`, () => {
      const module = fakeModule();
      const counts = new FlatBuffers(module).params(params);
      assert.equal(counts.lens, 6);
      assert.equal(counts.bytes, new TextEncoder().encode(expected.join('')).length);
      assert.deepEqual(readBack(module, counts), expected);
    });
  }

  it('more parameters than the lengths buffer holds: it grows, and wasm reserves again', () => {
    const module = fakeModule();
    const flat = new FlatBuffers(module);
    flat.params({ a: '1' });
    const many = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, `v${i}`]));
    const counts = flat.params(many);
    assert.deepEqual(readBack(module, counts), Object.entries(many).flat());
    assert.deepEqual(module.reserved.filter((r) => r.kind === 'lens').map((r) => r.size / 4), [64, 256]);
    // Pairs and Maps grow as they go.
    const pairs = Object.entries(many).concat([['last', 'x']]);
    assert.deepEqual(readBack(module, flat.params(pairs)), pairs.flat());
  });

  it('a longer text than the bytes buffer holds: wasm reserves a bigger one', () => {
    const module = fakeModule();
    const flat = new FlatBuffers(module);
    flat.params({ a: '1' });
    const long = 'x'.repeat(5000);
    assert.deepEqual(readBack(module, flat.params({ long })), ['long', long]);
    assert.deepEqual(module.reserved.filter((r) => r.kind === 'bytes').map((r) => r.size), [4096, 15012]);
  });

  it('memory grown between calls: the views are taken again', () => {
    const module = fakeModule();
    const flat = new FlatBuffers(module);
    flat.params({ a: '1' });
    module.memory.grow(2); // detaches the old ArrayBuffer
    assert.deepEqual(readBack(module, flat.params({ b: '2' })), ['b', '2']);
  });

  it('refuses what is not parameters, naming the place', () => {
    const flat = new FlatBuffers(fakeModule());
    assert.throws(() => flat.params(null), { name: 'TypeError', message: 'params must be an object, a Map, a URLSearchParams or an array of [name, value] pairs (got null)' });
    assert.throws(() => flat.params('a=1'), { message: /\(got string\)$/ });
    assert.throws(() => flat.params([['a', '1'], ['b']]), { message: 'params[1] must be a [name, value] pair' });
    assert.throws(() => flat.params([[1, '1']]), { message: /^params\[0\]\[0\] must be a string \(got number\)/ });
    assert.throws(() => flat.params(new Map([[1, '1']])), { message: /^a Map key must be a string/ });
    assert.throws(() => flat.params({ total_amount: 1959 }), {
      message: 'parameter "total_amount" must be a string (got number); paysign signs exact text, so convert numbers yourself, e.g. String(1959)',
    });
  });

  it('a module that cannot reserve its buffers is an internal error', () => {
    assert.throws(() => new FlatBuffers(fakeModule({ failReserve: true })).params({ a: '1' }), {
      message: 'paysign internal error: the input buffers are unavailable',
    });
  });
});

describe('FlatBuffers.list and output', () => {
  it('list writes a flat list of strings (headers)', () => {
    const module = fakeModule();
    const list = ['Content-Type', 'application/json', 'Wechatpay-Serial', 'PUB_KEY_ID_0114'];
    assert.deepEqual(readBack(module, new FlatBuffers(module).list(list)), list);
    const empty = new FlatBuffers(module).list([]);
    assert.deepEqual(empty, { lens: 0, bytes: 0 });
  });

  it('output is a view of the memory at the output address, at least `length` long, taken again after growth', () => {
    const module = fakeModule();
    const flat = new FlatBuffers(module);
    new Uint8Array(module.memory.buffer, 8, 3).set([1, 2, 3]);
    const view = flat.output(3);
    assert.deepEqual([...view.subarray(0, 3)], [1, 2, 3]);
    assert.equal(view.length, 1024);
    assert.equal(flat.output(10), view, 'the same view while nothing moved');
    module.memory.grow(1);
    const after = flat.output(3);
    assert.notEqual(after, view);
    assert.equal(after.buffer, module.memory.buffer);
    assert.equal(flat.output(2048).length, 2048);
  });
});

describe('FlatBuffers.pieces: a result that crosses as pieces of one string', () => {
  // What flat.rs put_pieces writes into the output buffer: the count, then each piece's
  // length in UTF-16 units (0xffffffff for an absent one), all u32 little-endian.
  function writeLengths(module, lengths) {
    const view = new DataView(module.memory.buffer, 8);
    view.setUint32(0, lengths.length, true);
    lengths.forEach((length, i) => view.setUint32(4 + 4 * i, length, true));
  }

  it('slices the text by the lengths: absent pieces are null, astral characters two units, empty pieces empty', () => {
    const module = fakeModule();
    writeLengths(module, [1, 0xffffffff, 3, 0, 2]);
    assert.deepEqual(new FlatBuffers(module).pieces('a水💧ok'), ['a', null, '水💧', '', 'ok']);
    writeLengths(module, []);
    assert.deepEqual(new FlatBuffers(module).pieces(''), []);
  });

  it('refuses a text its lengths do not cover exactly (a bug, never a wrong notification)', () => {
    const module = fakeModule();
    const flat = new FlatBuffers(module);
    writeLengths(module, [1, 2]);
    for (const text of ['abcd', 'ab']) {
      assert.throws(() => flat.pieces(text), { message: 'paysign internal error: a result and its lengths disagree' });
    }
  });
});

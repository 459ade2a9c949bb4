// sdk-wasm/js/api/prepared.mjs: the two layouts of a prepared RSA check in wasm's output
// buffer, read as views without copies.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { checkKeyIndex, checkSignType, notificationCheck, sameBytes, verifierCheck } from '../../../sdk-wasm/js/api/prepared.mjs';

const u32le = (n) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];

describe('prepared checks', () => {
  it('a Verifier check: [sign type][signature][canonical], the rest of the buffer ignored', () => {
    const buffer = new Uint8Array([2, 0xaa, 0xbb, 0xcc, ...new TextEncoder().encode('a=1'), 0xff, 0xff]);
    const check = verifierCheck(buffer, buffer.length - 2, 3);
    assert.equal(check.signType, 'RSA2');
    assert.deepEqual([...check.signature], [0xaa, 0xbb, 0xcc]);
    assert.equal(new TextDecoder().decode(check.signed), 'a=1');
    assert.equal(check.signature.buffer, buffer.buffer, 'a view, not a copy');
  });

  it('a NotificationVerifier check: [sign type][key index u32 LE][signature length u32 LE][signature][signed]', () => {
    const buffer = new Uint8Array([1, ...u32le(0x01020304), ...u32le(2), 0x11, 0x22, 0x33, 0x44, 0x55, 0]);
    assert.equal(checkKeyIndex(buffer), 0x01020304);
    assert.equal(checkSignType(buffer), 'RSA');
    const check = notificationCheck(buffer, buffer.length - 1);
    assert.equal(check.signType, 'RSA');
    assert.equal(check.index, 0x01020304);
    assert.deepEqual([...check.signature], [0x11, 0x22]);
    assert.deepEqual([...check.signed], [0x33, 0x44, 0x55]);
    assert.equal(checkKeyIndex(new Uint8Array([2, ...u32le(0xffffffff)])), 0xffffffff, 'unsigned');
  });

  it('sameBytes compares a view prefix with a kept copy', () => {
    const view = new Uint8Array([1, 2, 3, 9]);
    assert.equal(sameBytes(view, 3, new Uint8Array([1, 2, 3])), true);
    assert.equal(sameBytes(view, 3, new Uint8Array([1, 2, 4])), false);
    assert.equal(sameBytes(view, 4, new Uint8Array([1, 2, 3])), false);
    assert.equal(sameBytes(view, 3, null), false);
  });
});

// sdk-wasm/js/api/keys.mjs and key-pairs.mjs: keys and secrets as the bytes wasm takes, and
// a host generator's key pair in the core's four forms.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';

import { keyPairFromDer, pem } from '../../../sdk-wasm/js/api/key-pairs.mjs';
import { credentials, keyBytes, material, secretBytes, toBase64 } from '../../../sdk-wasm/js/api/keys.mjs';

const text = (bytes) => new TextDecoder().decode(bytes);

describe('keys', () => {
  it('toBase64', () => {
    const bytes = crypto.randomBytes(301);
    assert.equal(toBase64(new Uint8Array(bytes)), bytes.toString('base64'));
    assert.equal(toBase64(new Uint8Array(bytes.buffer, bytes.byteOffset + 1, 5)), bytes.subarray(1, 6).toString('base64'));
  });

  it('keyBytes: text as UTF-8; DER as base64 text (the core trims whitespace bytes), other bytes as they are', () => {
    assert.equal(text(keyBytes('-----BEGIN PUBLIC KEY-----', 'options.publicKey')), '-----BEGIN PUBLIC KEY-----');
    // A DER key ending in 0x20 would lose that byte to the core's trimming.
    const der = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x20]);
    assert.equal(text(keyBytes(der, 'options.publicKey')), Buffer.from(der).toString('base64'));
    const other = new Uint8Array([0x2d, 0x2d]);
    assert.equal(keyBytes(other, 'k'), other);
    assert.throws(() => keyBytes(42, 'options.publicKey'), {
      name: 'TypeError',
      message: 'options.publicKey must be a string (PEM or base64) or a Uint8Array (got number)',
    });
  });

  it('secretBytes: text as UTF-8, bytes as they are (a secret starting 0x30 stays raw)', () => {
    const raw = new Uint8Array([0x30, 1, 2]);
    assert.equal(secretBytes(raw, 'options.secret'), raw);
    assert.equal(text(secretBytes('whsec_x', 'options.secret')), 'whsec_x');
    assert.throws(() => secretBytes(null, 'options.secrets[1]'), { message: 'options.secrets[1] must be a string or a Uint8Array (got null)' });
  });

  it('material and credentials: the secret as a secret, keys as keys, not both', () => {
    const der = new Uint8Array([0x30, 0x01, 0x00]);
    assert.equal(text(material({ appCert: der }, 'appCert')), 'MAEA');
    assert.equal(material({ secret: der }, 'secret'), der);
    assert.equal(material({}, 'privateKey'), undefined);
    assert.deepEqual(credentials({ secret: 'k' }, 'privateKey'), { key: undefined, secret: new TextEncoder().encode('k') });
    assert.throws(() => credentials({ privateKey: 'p', secret: 's' }, 'privateKey'), {
      message: 'pass either options.privateKey or options.secret, not both',
    });
  });
});

describe('key pairs from a host generator', () => {
  it('pem: 64-column base64 and LF line ends, as the core writes it', () => {
    const base64 = 'A'.repeat(130);
    assert.equal(pem('PUBLIC KEY', base64), `-----BEGIN PUBLIC KEY-----\n${'A'.repeat(64)}\n${'A'.repeat(64)}\nAA\n-----END PUBLIC KEY-----\n`);
  });

  it('keyPairFromDer: the four forms node:crypto reads back; the PKCS#8 bytes are zeroised', () => {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pkcs8 = new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }));
    const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
    const pair = keyPairFromDer({ pkcs8, spki });
    assert.ok(pkcs8.every((b) => b === 0));
    assert.equal(pair.privateKeyPem, privateKey.export({ format: 'pem', type: 'pkcs8' }));
    assert.equal(pair.publicKeyPem, publicKey.export({ format: 'pem', type: 'spki' }));
    assert.equal(pair.publicKeyBase64, Buffer.from(spki).toString('base64'));
    assert.ok(crypto.createPrivateKey({ key: Buffer.from(pair.privateKeyBase64, 'base64'), format: 'der', type: 'pkcs8' }).equals(privateKey));
  });
});

// sdk-wasm/js/api/providers.mjs, node-crypto.mjs and webcrypto.mjs: which provider runs the
// RSA step, and the two host providers agreeing with each other (same hash per sign type).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';

import { nodeCryptoProvider } from '../../../sdk-wasm/js/api/node-crypto.mjs';
import { providerChoice, rsaStep, webcryptoIsAsync } from '../../../sdk-wasm/js/api/providers.mjs';
import { subtle, webcrypto } from '../../../sdk-wasm/js/api/webcrypto.mjs';

const node = nodeCryptoProvider(crypto);

// Runs `fn` in a runtime without WebCrypto (not a secure context).
function withoutWebCrypto(fn) {
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'crypto');
  Object.defineProperty(globalThis, 'crypto', { value: undefined, configurable: true });
  try {
    return fn();
  } finally {
    Object.defineProperty(globalThis, 'crypto', descriptor);
  }
}

describe('providerChoice', () => {
  it('auto: node:crypto for synchronous methods where it exists, WebCrypto for asynchronous ones', () => {
    assert.deepEqual(providerChoice({}, node), { sync: 'node', async: 'webcrypto' });
    assert.deepEqual(providerChoice({ provider: 'auto' }, null), { sync: 'wasm', async: 'webcrypto' });
    assert.deepEqual(withoutWebCrypto(() => providerChoice({}, null)), { sync: 'wasm', async: 'wasm' });
    assert.deepEqual(withoutWebCrypto(() => providerChoice({}, node)), { sync: 'node', async: 'node' });
  });

  it('a named provider runs both', () => {
    for (const provider of ['wasm', 'node', 'webcrypto']) assert.deepEqual(providerChoice({ provider }, node), { sync: provider, async: provider });
  });

  it('refuses an unknown provider, and one the runtime lacks', () => {
    assert.throws(() => providerChoice({ provider: 'openssl' }, node), {
      name: 'TypeError',
      message: 'options.provider must be one of auto, wasm, node, webcrypto (got openssl)',
    });
    assert.throws(() => providerChoice({ provider: 'node' }, null), {
      message: "provider 'node' needs node:crypto, which this runtime does not have; use 'wasm' or 'webcrypto'",
    });
    withoutWebCrypto(() => {
      assert.equal(subtle(), null);
      assert.throws(() => providerChoice({ provider: 'webcrypto' }, node), {
        message: "provider 'webcrypto' needs crypto.subtle (a secure context), which this runtime does not have; use 'wasm'",
      });
    });
  });

  it('rsaStep: the choice for an RSA object; wasm for digest sign types, whatever was chosen', () => {
    const choice = providerChoice({ provider: 'node' }, node);
    assert.equal(rsaStep(choice, true), choice);
    assert.deepEqual(rsaStep(choice, false), { sync: 'wasm', async: 'wasm' });
  });

  it('webcryptoIsAsync says what to call instead', () => {
    assert.equal(webcryptoIsAsync().message, "provider 'webcrypto' is asynchronous: call signAsync()/verifyAsync(), or use provider 'wasm' or 'node'");
    assert.equal(webcryptoIsAsync('call generateKeyPairAsync()').message, "provider 'webcrypto' is asynchronous: call generateKeyPairAsync()");
  });
});

describe('the host providers', () => {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pkcs8 = () => new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }));
  const spki = () => new Uint8Array(crypto.createPublicKey(privateKey).export({ format: 'der', type: 'spki' }));
  const signed = new TextEncoder().encode('app_id=2026&total_amount=1959');

  for (const signType of ['RSA', 'RSA2']) {
    it(`${signType}: what one signs the other verifies, and a private key's DER is zeroised once imported`, async () => {
      const der = pkcs8();
      const nodeKey = node.privateKey(der);
      assert.ok(der.every((b) => b === 0));
      const byNode = node.sign(nodeKey, signType, signed);
      const webDer = pkcs8();
      const webKey = await webcrypto.privateKey(webDer, signType);
      assert.ok(webDer.every((b) => b === 0));
      const byWeb = await webcrypto.sign(webKey, signed);
      assert.equal(byWeb, byNode, 'PKCS#1 v1.5 signatures are deterministic');
      const signature = Buffer.from(byNode, 'base64');
      assert.equal(node.verify(node.publicKey(spki()), signType, signed, signature), true);
      assert.equal(await webcrypto.verify(await webcrypto.publicKey(spki(), signType), signature, signed), true);
      assert.equal(node.verify(node.publicKey(spki()), signType === 'RSA' ? 'RSA2' : 'RSA', signed, signature), false, 'the hash follows the sign type');
    });
  }

  it('generated pairs come as PKCS#8 and SPKI DER', async () => {
    for (const pair of [node.generateKeyPair(2048), await node.generateKeyPairAsync(2048), await webcrypto.generateKeyPair(2048)]) {
      const key = crypto.createPrivateKey({ key: Buffer.from(pair.pkcs8), format: 'der', type: 'pkcs8' });
      assert.equal(key.asymmetricKeyDetails.modulusLength, 2048);
      assert.ok(crypto.createPublicKey(key).export({ format: 'der', type: 'spki' }).equals(Buffer.from(pair.spki)));
    }
  });
});

// Interop with an independent implementation: signatures made by the package verify with
// raw node:crypto and the reverse, for the shared vectors and for random messages (with
// an independent canonical-string oracle written here from the protocol rule).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';

import { Signer, Verifier, canonicalize, PaysignError } from 'paysign';
import { merchantPrivatePem, merchantPublicPem, secret, signCases, signedPairs, signerOptions, verifierOptions } from './vectors.mjs';

const privateKey = crypto.createPrivateKey(merchantPrivatePem);
const publicKey = crypto.createPublicKey(merchantPublicPem);
const hashOf = (signType) => (signType === 'RSA' ? 'sha1' : 'sha256');
const rsaCases = signCases().filter((c) => c.rsa);
const providers = ['wasm', 'node', 'webcrypto'];

/** The protocol rule, independently: drop sign (and excluded), drop empty, sort by UTF-8 bytes. */
function oracleCanonical(pairs, excluded = ['sign']) {
  return pairs
    .filter(([k, v]) => v !== '' && !excluded.includes(k))
    .sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/** A deterministic pseudo-random generator (xorshift32), so failures reproduce. */
function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

const alphabet = ['a', 'Z', '_', '0', '9', '-', '.', ' ', '&', '=', '%', '+', '水', '费', 'é', '💧', '\u{10FFFF}', '\uFFFF', '\t'];

function randomMessage(rand) {
  const pairs = [];
  const names = new Set();
  const count = 1 + Math.floor(rand() * 20);
  while (pairs.length < count) {
    const nameLen = 1 + Math.floor(rand() * 8);
    let name = '';
    for (let i = 0; i < nameLen; i++) {
      const ch = alphabet[Math.floor(rand() * alphabet.length)];
      name += ch === '&' || ch === '=' ? 'x' : ch;
    }
    if (names.has(name) || name === 'sign' || name === 'sign_type') continue;
    names.add(name);
    const valueLen = Math.floor(rand() * 30);
    let value = '';
    for (let i = 0; i < valueLen; i++) value += alphabet[Math.floor(rand() * alphabet.length)];
    pairs.push([name, value]);
  }
  return pairs;
}

describe('vectors against raw node:crypto', () => {
  for (const c of rsaCases) {
    it(`${c.name}: package signatures verify with node:crypto; node:crypto signatures verify with the package`, async () => {
      for (const provider of providers) {
        const signer = new Signer(signerOptions(c, { provider }));
        const sig = await signer.signAsync(c.pairs);
        assert.ok(
          crypto.verify(hashOf(c.signType), c.signedBytes, publicKey, Buffer.from(sig, 'base64')),
          `${provider} signature verifies with node:crypto`,
        );
      }
      const raw = crypto.sign(hashOf(c.signType), c.signedBytes, privateKey).toString('base64');
      assert.equal(raw, c.signature, 'node:crypto reproduces the vector (PKCS#1 v1.5 is deterministic)');
      for (const provider of providers) {
        const verifier = new Verifier(verifierOptions(c, { provider }));
        assert.deepEqual(await verifier.verifyAsync(signedPairs(c, raw)), { valid: true, signType: c.signType });
      }
    });
  }
});

describe('random messages (seeded) against independent implementations', () => {
  const rand = rng(0x5eed1234);
  const messages = Array.from({ length: 40 }, () => randomMessage(rand));

  it('canonical strings match the oracle', () => {
    for (const pairs of messages) {
      assert.equal(canonicalize(pairs), oracleCanonical(pairs), JSON.stringify(pairs));
    }
  });

  it('RSA2 and RSA signatures match node:crypto and verify both ways, with every provider', async () => {
    for (const signType of ['RSA2', 'RSA']) {
      const signers = providers.map((provider) => new Signer({ privateKey: merchantPrivatePem, signType, provider }));
      const verifiers = providers.map(
        (provider) => new Verifier({ publicKey: merchantPublicPem, signType, message: 'request', provider }),
      );
      for (const message of messages.slice(0, 12)) {
        const pairs = [...message, ['sign_type', signType]];
        const expected = crypto.sign(hashOf(signType), Buffer.from(oracleCanonical(pairs)), privateKey).toString('base64');
        for (const signer of signers) assert.equal(await signer.signAsync(pairs), expected);
        for (const verifier of verifiers) {
          assert.deepEqual(await verifier.verifyAsync([...pairs, ['sign', expected]]), { valid: true, signType });
        }
      }
    }
  });

  it('MD5 and HMAC-SHA256 match node:crypto', () => {
    const key = secret('secret');
    const md5 = new Signer({ signType: 'MD5', secret: key });
    const hmac = new Signer({ signType: 'HMAC-SHA256', secret: key });
    const alipayMd5 = new Signer({ profile: 'alipay', signType: 'MD5', secret: key });
    for (const message of messages) {
      const canonical = oracleCanonical(message);
      const md5Hex = crypto.createHash('md5').update(`${canonical}&key=${key}`).digest('hex').toUpperCase();
      assert.equal(md5.sign(message), md5Hex);
      const hmacHex = crypto.createHmac('sha256', key).update(`${canonical}&key=${key}`).digest('hex').toUpperCase();
      assert.equal(hmac.sign(message), hmacHex);
      const alipayHex = crypto.createHash('md5').update(`${canonical}${key}`).digest('hex');
      assert.equal(alipayMd5.sign(message), alipayHex);
    }
  });

  it('a signature over another canonical string is refused by every provider', async () => {
    const [a, b] = messages;
    const forged = crypto.sign('sha256', Buffer.from(oracleCanonical(b)), privateKey).toString('base64');
    for (const provider of providers) {
      const v = new Verifier({ publicKey: merchantPublicPem, message: 'request', provider });
      await assert.rejects(v.verifyAsync([...a, ['sign', forged]]), (e) => e instanceof PaysignError && e.code === 'SIGNATURE_MISMATCH');
    }
  });
});

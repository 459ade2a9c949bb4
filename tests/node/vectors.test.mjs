// Every tests/vectors/sign_* case through the npm package, with every crypto provider and
// every input form: canonical string, signature, verification, tampering.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Signer, Verifier, canonicalize, sign, signAsync, verify, verifyAsync, PaysignError } from 'paysign';
import { inputForms, signCases, signedPairs, signerOptions, syncAndAsync, verifierOptions } from './vectors.mjs';

const cases = signCases();
const providers = ['wasm', 'node', 'webcrypto', 'auto'];

const signWith = (signer, params, provider) => syncAndAsync(provider, () => signer.sign(params), () => signer.signAsync(params));
const verifyWith = (verifier, params, provider) => syncAndAsync(provider, () => verifier.verify(params), () => verifier.verifyAsync(params));

const isMismatch = (e) => e instanceof PaysignError && e.code === 'SIGNATURE_MISMATCH';
// Alipay signs in the declared charset: a mangled label names no charset at all, which is
// refused before the signature is checked.
const isRefusedCharset = (e) => isMismatch(e) || (e instanceof PaysignError && e.code === 'CHARSET_UNSUPPORTED');

/** Both the async and (unless WebCrypto) the sync verification refuse `params`. */
async function assertMismatch(verifier, params, provider, label, refused = isMismatch) {
  await assert.rejects(verifier.verifyAsync(params), refused, `${label} (async)`);
  if (provider !== 'webcrypto') assert.throws(() => verifier.verify(params), refused, `${label} (sync)`);
}

for (const c of cases) {
  describe(c.name, () => {
    it('canonicalizes to canonical.txt in every input form', () => {
      for (const [form, params] of Object.entries(inputForms(c.pairs))) {
        assert.equal(canonicalize(params, { profile: c.profile, message: c.message }), c.canonical, form);
      }
      const signer = new Signer(signerOptions(c));
      assert.equal(signer.canonicalize(c.pairs), c.canonical);
      const verifier = new Verifier(verifierOptions(c));
      assert.equal(verifier.canonicalize(c.pairs), c.canonical);
    });

    for (const provider of providers) {
      it(`signs to signature.txt and verifies (provider ${provider})`, async () => {
        const signer = new Signer(signerOptions(c, { provider }));
        assert.equal(signer.signType, c.signType);
        for (const [form, params] of Object.entries(inputForms(c.pairs))) {
          assert.equal(await signWith(signer, params, provider), c.signature, `${form}`);
        }
        const verifier = new Verifier(verifierOptions(c, { provider }));
        for (const [form, params] of Object.entries(inputForms(signedPairs(c)))) {
          assert.deepEqual(await verifyWith(verifier, params, provider), { valid: true, signType: c.signType }, form);
        }
      });

      it(`refuses every tampered parameter and a changed signature (provider ${provider})`, async () => {
        const verifier = new Verifier(verifierOptions(c, { provider }));
        const excluded = new Set(['sign', 'sign_type']);
        let tampered = 0;
        for (const [key, value] of c.pairs) {
          if (excluded.has(key)) continue;
          const forged = signedPairs(c).map(([k, v]) => [k, k === key ? `${value}0` : v]);
          await assertMismatch(verifier, forged, provider, `tampered ${key}`, key === 'charset' ? isRefusedCharset : isMismatch);
          tampered++;
        }
        assert.ok(tampered >= 5, 'the case has parameters to tamper with');
        const flipped = [...c.signature].map((ch, i) => (i === 5 ? (ch === 'A' ? 'B' : 'A') : ch)).join('');
        await assertMismatch(verifier, signedPairs(c, flipped), provider, 'flipped signature');
        const extra = [...signedPairs(c), ['injected', 'x']];
        await assertMismatch(verifier, extra, provider, 'added parameter');
      });
    }

    it('signParams adds the fields the core adds, and the result verifies', async () => {
      const signer = new Signer(signerOptions(c));
      const verifier = new Verifier(verifierOptions(c));
      const unsigned = c.pairs.filter(([k]) => k !== 'sign_type');
      const signed = signer.signParams(Object.fromEntries(unsigned));
      assert.equal(typeof signed.sign, 'string');
      const implied = c.profile === 'wechat-v2' && c.signType === 'MD5';
      assert.equal(signed.sign_type, implied ? undefined : c.signType);
      assert.deepEqual(verifier.verify(signed), { valid: true, signType: c.signType });
      // Vectors that carry sign_type (or imply it) are already in signParams' form.
      if (implied || c.pairs.some(([k]) => k === 'sign_type')) {
        assert.equal(signed.sign, c.signature);
      }
      assert.deepEqual(await signer.signParamsAsync(Object.fromEntries(unsigned)), signed);
    });

    it('one-off functions agree with the classes', async () => {
      assert.equal(sign(c.pairs, signerOptions(c)), c.signature);
      assert.equal(await signAsync(c.pairs, signerOptions(c)), c.signature);
      assert.deepEqual(verify(signedPairs(c), verifierOptions(c)), { valid: true, signType: c.signType });
      assert.deepEqual(await verifyAsync(signedPairs(c), verifierOptions(c)), { valid: true, signType: c.signType });
    });
  });
}
